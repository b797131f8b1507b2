-- Issue 12: Kyrgyz readers saw Russian service names in the registry: 11 of the 14 entries of the starter
-- catalogue (bot/resources/municipal_services_examples.csv) had no Kyrgyz name, as no attested one was found.
-- They are service descriptions, not proper names, so the catalogue now carries Kyrgyz translations of them
-- (name_ky_source = translated). Municipalities seeded before get them too, but only on copies no officer has
-- edited yet (confirmed = 0) and that still carry the catalogue's Russian name and no Kyrgyz one: an officer's
-- own wording is never overwritten. Not an edit by anyone, so no service_events row; the entry stays
-- unconfirmed. Each name here must equal the CSV's (tests/test_registry_resident_flow.py checks).
UPDATE services SET name_ky = 'Жеке жана юридикалык жактардын суроо-талабы боюнча жергиликтүү өз алдынча башкаруу органынын карамагындагы маалыматты берүү'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Предоставление информации из ведения органа местного самоуправления по запросу физических и юридических лиц';
UPDATE services SET name_ky = 'Көчө жарыгы'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Уличное освещение';
UPDATE services SET name_ky = 'Бош убакытты уюштуруу (эс алуу паркы)'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Организация досуга (парк отдыха)';
UPDATE services SET name_ky = 'Маданият үйүнүн кызматтары'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Услуги дома культуры';
UPDATE services SET name_ky = 'Спорт секциялары жана спорт жайлары'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Спортивные секции и сооружения';
UPDATE services SET name_ky = 'Өзгөчө муктаждыктары бар балдарды окутуу жана коомго ыңгайлаштыруу'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Обучение и адаптация детей с особыми потребностями';
UPDATE services SET name_ky = 'Балдар менен жаштардын бош убактысын уюштуруу'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Досуг детей и молодежи';
UPDATE services SET name_ky = 'Коомдук имараттарды жана жалпы пайдалануудагы аймактарды кармоо'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Содержание общественных зданий и территорий';
UPDATE services SET name_ky = 'Жергиликтүү жүргүнчүлөр транспорту'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Местный пассажирский транспорт';
UPDATE services SET name_ky = 'Коммуналдык кызматтар'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Коммунальные услуги';
UPDATE services SET name_ky = 'Мектеп имараттарын кармоо'
 WHERE origin = 'catalogue' AND confirmed = 0 AND name_ky = ''
   AND name_ru = 'Содержание школьных зданий';
