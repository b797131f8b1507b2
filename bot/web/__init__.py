"""The running process's outside: the aiohttp application on ``WEB_LISTEN`` (:mod:`bot.web.server`) with
``/healthz`` (:mod:`bot.web.health`) and the webhook (:mod:`bot.web.webhook`), the run loop in both modes
with a clean shutdown (:mod:`bot.web.runner`), and the same update once (:mod:`bot.web.once`)."""
