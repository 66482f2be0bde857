"""Word pools written for this corpus: names of many origins, invented places, decoy vocabulary."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split("|") if item.strip())


# Given names: English (several are also ordinary words), Spanish, Portuguese, German, French,
# Filipino, Vietnamese, Yoruba, Igbo, Arabic, Hindi, Chinese, Korean, Polish, Irish, Somali.
GIVEN = _words(
    """
Hope Grace Faith Joy Rose Violet Ivy June April Summer Dawn Holly Ruby Pearl Amber Crystal
Will Grant Chase Hunter Mark Frank Bill Rob Pat Sandy Dusty Rusty Sky River Forest Wade Miles
Cliff Dale Glen Heath Lane Reed Clay Stone Ward Bishop King Major Noble Royal Sterling
Olivia Emma Ava Mia Harper Evelyn Abigail Ella Scarlett Madison Chloe Zoey Nora Lily Hazel
Liam Noah Oliver Elijah James Benjamin Lucas Henry Theodore Jack Owen Wyatt Caleb Logan Levi
Mateo Santiago Alejandro Diego Sebastián Valentina Camila Lucía Sofía Ximena Guadalupe Rocío
João Pedro Thiago Gabriel Rafael Matheus Larissa Beatriz Mariana Juliana Fernanda Letícia Conceição
Jürgen Klaus Dieter Uwe Sabine Ursula Heike Birgit Wolfgang Anneliese Friedrich Gudrun Jörg Lena
Amélie Chloé Élodie Mathilde Théo Étienne Hervé Loïc Geneviève Benoît Aurélien Maëlle Inès Anaïs
Rodrigo Marites Maricel Jhunjun Bong Rowena Jericho Analyn Dodong Lorna Arnel Rosario Nenita Jun
Anh Bảo Minh Thảo Hương Tuấn Dũng Phương Quang Lan Hùng Trang Khánh Ngọc Long Thủy Vy Duy
Adebayo Oluwaseun Chiamaka Ngozi Emeka Chukwudi Folasade Temitope Ifeoma Obinna Yetunde Kelechi
Ahmed Fatima Yusuf Aisha Omar Layla Khalid Mariam Hassan Zainab Tariq Nour Samir Rania Bilal
Priya Arjun Ananya Rohan Deepika Vikram Sunita Rajesh Lakshmi Aditya Kavya Sanjay Meera Nikhil
Wei Jing Xiaoming Mei Jun-hao Yan Li Hui Zhen Qiang Ling Tao Xin Hao Ying Bo Lian Fang Jie
Ji-woo Min-jun Seo-yeon Hye-jin Dong-hyun Eun-ji Sung-min Yuna Jae-won Soo-ah Hyun-woo Da-eun
Agnieszka Krzysztof Małgorzata Wojciech Katarzyna Paweł Zbigniew Jadwiga Grzegorz Bożena
Siobhán Niamh Ciarán Aoife Oisín Pádraig Saoirse Eoghan Róisín Tadhg Caoimhe Donncha
Abdirahman Hodan Ayaan Farhiya Mohamed Ubah Abdi Sahra Liban Hawa Mustafe Idil
Marie-Claire Jean-Baptiste Anna-Lena Hans-Peter Mary-Kate Jo-Anne Maria José Ana Paula
"""
)

# Family names, including particles, hyphenated and compound surnames, and surnames that are
# also words or eponyms (Bell, Graves, Wilson, Price, Young, Baker, Page, Hill, Long, Park).
FAMILY = _items(
    """
Baker|Price|Young|Page|Hill|Long|Park|Bell|Graves|Wilson|Little|Black|Brown|Green|Rich|Love|
Gay|Wise|Hunt|Fox|Lamb|Wolf|Bird|Frost|Snow|Rain|Winter|Summers|Church|Cook|Butler|Mason|
Smith|Johnson|Williams|Jones|Miller|Davis|Moore|Taylor|Anderson|Thomas|Jackson|White|Harris|
Martin|Thompson|Robinson|Clark|Lewis|Walker|Hall|Allen|Wright|Scott|Adams|Nelson|Carter|
Mitchell|Roberts|Turner|Phillips|Campbell|Parker|Evans|Edwards|Collins|Stewart|Morris|Murphy|
Rogers|Reed|Morgan|Cooper|Peterson|Bailey|Kelly|Howard|Ward|Cox|Richardson|Wood|Watson|Brooks|
García|Rodríguez|Martínez|Hernández|López|González|Pérez|Sánchez|Ramírez|Torres|Flores|Rivera|
Gómez|Díaz|Reyes|Cruz|Morales|Ortiz|Gutiérrez|Chávez|Ramos|Ruiz|Mendoza|Castillo|Vargas|
García-López|Fernández-Ochoa|Ruiz de Alarcón|de la Cruz|del Río|de los Santos|Santamaría|
Silva|Santos|Oliveira|Souza|Pereira|Costa|Carvalho|Almeida|Ferreira|Ribeiro|Gonçalves|
dos Santos|da Silva|de Oliveira|das Neves|do Nascimento|Albuquerque|Magalhães|Conceição|
Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|Koch|
Richter|Klein|Schröder|Neumann|Zimmermann|Krüger|Hartmann|Lange|Werner|Köhler|Braun|
von Hohenberg|von der Heide|zu Löwenstein|Meier-Brandt|Schulze-Wilking|Graf|Vogel|Jäger|
Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|Lefèvre|
Michel|Fontaine|Rousseau|Chevalier|Gauthier|Boucher|Lemaire|de Villiers|Le Goff|Saint-Just|
d'Alembert|Le Bris|Dupont-Aignan|Marchand|Bonnet|Lacroix|Morel|Faure|Girard|Mercier|
Santos|Reyes|Bautista|Villanueva|Dela Cruz|De Guzman|Mendoza|Garcia|Aquino|Castro|Ramos|
Manalo|Pascual|Dimaculangan|Macapagal|Lumibao|Panganiban|Tolentino|Soriano|Salvador|
Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Nguyễn Thị|Trần Văn|
Okafor|Adeyemi|Okonkwo|Balogun|Eze|Nwosu|Adebayo|Okeke|Oyelaran|Chukwu|Afolabi|Obi|Ogunleye|
Al-Hashimi|El-Sayed|bin Rashid|Haddad|Khoury|Mansour|Abdullah|Farouk|Nasser|Saleh|Aziz|
Patel|Sharma|Singh|Kumar|Gupta|Reddy|Iyer|Nair|Chatterjee|Mukherjee|Desai|Menon|Rao|Pillai|
Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou|Xu|Sun|Ma|Zhu|Hu|Guo|Lin|He|Gao|
Kim|Lee|Choi|Jung|Kang|Cho|Yoon|Jang|Lim|Han|Oh|Seo|Shin|Kwon|
Kowalski|Nowak|Wiśniewska|Wójcik|Kamińska|Lewandowski|Zieliński|Szymańska|Dąbrowski|
O'Brien|O'Connor|Mac Giolla|MacCarthy|McNamara|Ní Bhriain|Ó Súilleabháin|Fitzgerald|Byrne|
Warsame|Abdi|Hussein|Farah|Jama|Yusuf|Osman|Mohamud|Hirsi|Nur|
van der Berg|van Dijk|de Vries|ter Horst|van den Broek|Vandermeer|De Smet|Van Acker|
St. Clair|Ste. Marie|O'Neill-Ryan|Smith-Okafor|Nguyen-Baker|Kim-Alvarez|Al-Masri Lopez
"""
)

TOWN_HEADS = _words(
    "Quill Marrow Ash Hollin Kestrel Bramble Tarn Wick Fallow Corran Elder Thistle Pell "
    "Sallow Harrow Rook Linden Mossy Tamber Orrin Calder Fenwick Brisk Halden Merrow Oakhurst"
)
TOWN_TAILS = _words("ford brook field ton vale bury mouth ridge haven wick stead moor crest gate")
STREET_ROOTS = _words(
    "Quillfeather Larkspur Cobbler Tannery Hollowell Juniper Mossbank Pellham Orchard Saddler "
    "Wrenfield Copperline Ashcombe Millrace Ferncroft Greywater Brindle Tamsin Hatter Lantern"
)
STREET_TYPES = _words("St Street Ave Avenue Rd Road Ln Lane Dr Drive Ct Way Blvd Pl Terrace Pkwy")

DE_STREETS = _words("Lindenhofstraße Am Mühlgraben Kastanienweg Tuchmachergasse Birkenallee")
DE_TOWNS = _words("Mühlhausen-Süd Eichenrode Talbrück Wendelstadt Hohenmoor Kranichfeld")
FR_STREETS = _items("rue des Tanneurs|avenue de la Roseraie|impasse du Moulin|rue Saint-Fiacre")
FR_TOWNS = _words("Vaudrecourt Saint-Aubin-les-Prés Montbrisac Lorvigny Pontrevel")
BR_STREETS = _items("Rua das Acácias|Avenida Tiradentes Velha|Travessa do Ipê|Rua Boa Vista Nova")
BR_TOWNS = _items("São Joaquim do Sertão|Vila Serena|Campo Alegre do Norte|Itaquerinha")
PH_STREETS = _items("Purok Malinis|Sitio Bagong Pag-asa|Mabini Extension|Kalye Sampaguita")
PH_TOWNS = _items("San Isidro Norte|Barangay Maligaya|Bagong Silang Heights|Sta. Lucia Alta")
VN_STREETS = _items("ngõ 42 phố Hàng Lược|đường Nguyễn Văn Cừ Mới|hẻm 18 Lê Thánh Tôn")
VN_TOWNS = _items("phường Tân Định Mới|xã An Phú Đông|phường Bến Thành Tây")

US_STATES = _items("CA|TX|NY|FL|Ohio|Oregon|Georgia|Michigan|Arizona|Maine|Iowa|Vermont|NC|WA|IL")
COUNTRIES = _items("Germany|France|Brazil|Philippines|Vietnam|Canada|Mexico|Nigeria|India|Poland")

HOSPITAL_HEADS = _items(
    "St. Oswin's|Kestrel Valley|Marrowbrook|Our Lady of the Fens|Quillford Regional|Harrowgate"
)
HOSPITAL_TAILS = _items(
    "Medical Center|Hospital|Community Hospital|Health Clinic|Infusion Center|Urgent Care"
)
EMPLOYERS = _items(
    "Harrowgate Tile & Stone LLC|Brisk Logistics Inc|Fenwick Poultry Co-op|Corran Dental Group|"
    "Tamber Valley School District|Orrin Bakery & Deli|Calder Freight Lines|Pellham Textiles|"
    "Lindenhof Gebäudereinigung GmbH|Boulangerie Lorvigny SARL|Padaria Vila Serena Ltda"
)
PROFESSIONS = _items(
    "roofer|forklift operator|dental hygienist|long-haul truck driver|baker|welder|schoolteacher|"
    "hairdresser|electrician|night-shift security guard|paralegal|crane operator|seamstress|"
    "line cook|veterinary technician|Krankenpfleger|boulanger|costureira|tricycle driver|"
    "poultry processor|warehouse picker|bus driver|landscaper|call-centre agent|firefighter"
)

DRUGS = _items(
    "metformin 500 mg|lisinopril 10 mg|atorvastatin 40 mg|apixaban 5 mg|insulin glargine 22 units|"
    "adalimumab 40 mg/0.4 mL|semaglutide 0.5 mg|levothyroxine 75 mcg|sertraline 50 mg|"
    "amoxicillin 875 mg|methotrexate 15 mg weekly|etanercept 50 mg|dupilumab 300 mg|"
    "ustekinumab 90 mg|empagliflozin 10 mg|tacrolimus 1 mg|prednisone 20 mg|warfarin 5 mg|"
    "ibrutinib 420 mg|enoxaparin 40 mg|albuterol 90 mcg/actuation|ondansetron 4 mg"
)
EPONYMS = _items(
    "Crohn's disease|Hashimoto thyroiditis|Graves disease|Bell's palsy|Parkinson disease|"
    "Addison disease|Cushing syndrome|Wilson disease|Paget disease of bone|Murphy's sign|"
    "Raynaud phenomenon|Sjögren syndrome|Guillain-Barré syndrome|Kawasaki disease|Hodgkin lymphoma|"
    "Barrett esophagus|Ménière disease|Tourette syndrome|Alzheimer disease|Huntington disease|"
    "Marfan syndrome|Osgood-Schlatter disease|Still's disease|Lyme disease|Down syndrome"
)
ICD10 = _words("E11.65 I10 J45.909 M54.50 K50.90 E05.00 G51.0 N18.3 F41.1 Z79.4 C81.90 L40.0")
CPT = _words("99213 99214 80053 36415 85025 93000 97110 J0135 D1110 92014 D0120 90837")
LOINC = _words("4548-4 2345-7 718-7 2160-0 6690-2 1742-6 13457-7 2093-3")
NDC = _words("0002-8215-01 0074-4339-02 50090-3501-0 0169-4132-12 0093-7214-01 68180-512-06")
RXNORM = _words("197361 860975 617314 1373463 312961 1049630")
SNOMED = _words("44054006 38341003 195967001 73211009 271737000 22298006")
LABS = _items(
    "Glucose 142 mg/dL (ref 70-99)|HbA1c 7.8 % (ref 4.0-5.6)|Creatinine 1.3 mg/dL (0.6-1.2)|"
    "WBC 11.2 x10^3/uL (4.0-10.5)|Hgb 10.9 g/dL (12.0-15.5)|Potassium 5.4 mmol/L (3.5-5.1)|"
    "LDL 131 mg/dL (<100)|TSH 6.2 mIU/L (0.4-4.0)|eGFR 52 mL/min/1.73m2 (>60)|INR 2.6 (2.0-3.0)"
)
VITALS = _items("BP 138/86|HR 92|SpO2 96% RA|T 37.9 C|RR 18|BP 118/74|Wt 82.4 kg|BMI 31.2")
DEPARTMENTS = _items(
    "Cardiology|Revenue Integrity|Patient Access|Central Billing Office|Oncology Infusion|"
    "Specialty Pharmacy|Utilization Management|Health Information Management|Radiology|"
    "Occupational Health|Lab Client Services|Member Services|Credentialing Office"
)
PLAN_NAMES = _items(
    "Gold PPO 1500|Bronze HSA 6500|Medicare Advantage HMO|Silver EPO 3000|Medicaid Managed Care|"
    "Dental Basic DHMO|Vision Plus 130|Commercial POS Plan"
)
ROOM_TYPES = _items(
    "semi-private room|negative-pressure isolation room|step-down bed|infusion chair"
)
SHIFTS = _items("night shift|day shift|swing shift|weekend on-call")
WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
PAYERS = _items(
    "Aetna|Cigna|UnitedHealthcare|Humana|Blue Cross Blue Shield|Medicaid|Medicare|Caremark|"
    "Express Scripts|Optum Rx|Delta Dental|VSP"
)
GUIDELINE_URLS = _items(
    "https://www.cdc.gov/vaccines/hcp/imz-schedules/index.html|"
    "https://www.nccn.org/guidelines/category_1|https://www.cms.gov/medicare/coding-billing|"
    "https://www.uspreventiveservicestaskforce.org/uspstf/recommendation-topics|"
    "https://diabetesjournals.org/care/issue/47/Supplement_1|https://loinc.org/4548-4/"
)
