"""Word pools of the fieldwork corpus: people, places, organisations and the
clinical vocabulary that must stay readable. Written for this corpus alone."""

from __future__ import annotations


def _words(block: str) -> tuple[str, ...]:
    return tuple(block.split())


GIVEN = _words("""
Rose Hunter Page Bill Grace May Young Faith Hope Joy Summer Autumn Dawn Sky River Rain Ivy
Daisy Lily Violet Iris Pearl Ruby Amber Jade Crystal Destiny Honor Chance Rich Sonny Sunny Art
Bud Buck Cliff Dale Glen Heath Lane Miles Ward Wade Penny Sandy Patience Mercy Major Royal Price
Maria Jose Juan Guadalupe Ximena Itzel Yolanda Refugio Consuelo Dolores Socorro Jesus Alejandro
Mateo Santiago Valentina Camila Sofia Lucia Paola Rocio Beatriz Catalina Esperanza Ines Julio
Aaliyah Imani Jamal Darnell Latoya Keisha DeShawn Tyrone Precious Ebony Malik Andre Jalen Nia
Wei Mei Xiaoling Jun Hao Yan Lei Qiang Zhen Ming Hyun-woo Ji-yeon Min-jun Seo-yeon Haruto Yui
Sakura Kenji Aiko Takumi Hiroshi Nguyen Thanh Minh Lan Phuong Anh Tuan Bao Linh Huong Duc
Priya Arjun Aditya Ananya Deepika Rohan Vikram Lakshmi Sanjay Kavya Ishaan Meera Rajesh Sunita
Mohammed Fatima Aisha Omar Yusuf Layla Zainab Hassan Khadija Ibrahim Mariam Tariq Noor Salma
Chukwuemeka Ngozi Oluwaseun Adaeze Kwame Ama Kofi Abena Tendai Thandiwe Sipho Amara Chidi Zuri
Olga Dmitri Svetlana Igor Natasha Yevgeny Oksana Bogdan Katarzyna Wojciech Agnieszka Tomasz
Sean Siobhan Padraig Niamh Aoife Cormac Eoin Ciaran Saoirse Declan Brigid Oisin Fionnuala
Giuseppe Francesca Giovanni Chiara Alessandro Rosaria Vincenzo Salvatore Antonella Luca
Hans Greta Dieter Ingrid Lars Astrid Sven Freya Bjorn Sigrid Henrik Annika Jurgen Birgit
Pierre Amelie Jean-Luc Marie-Claire Benoit Oceane Thibault Genevieve Lucien Margaux Anne-Sophie
Kalani Leilani Keoni Malia Kai Nalani Tala Sione Mele Losaline Tevita Ana Ofa
Aroha Tama Wiremu Mere Hemi Ngaire Kaya Tallulah Winona Cheyenne Dakota Takoda Aiyana Nayeli
Elizabeth William James Mary Patricia Robert Jennifer Michael Linda David Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Betty Matthew Helen
Anthony Sandra Mark Donna Donald Carol Steven Ruth Paul Sharon Andrew Michelle Joshua Laura
Kenneth Emily Kevin Kimberly Brian Deborah George Dorothy Timothy Amy Ronald Angela Edward
Melissa Jason Brenda Jeffrey Anna Ryan Rebecca Jacob Virginia Gary Kathleen Nicholas Shirley
Eric Amanda Jonathan Stephanie Stephen Carolyn Larry Christine Justin Marie Scott Janet Brandon
Frank Catherine Benjamin Frances Gregory Ann Samuel Joyce Raymond Diane Patrick Alice Alexander
Julie Jack Heather Dennis Teresa Jerry Doris Tyler Gloria Aaron Evelyn Henry Jean Douglas Cheryl
Peter Mildred Zachary Katherine Walter Joan Nathan Ashley Harold Judith Kyle Rose-Marie Carl
Mary-Kate Billie-Jo Ellie-Mae Jo-Anne Zoe Chloe Noa Yael Avi Moshe Esther Miriam Shira Eitan
""")

FAMILY = _words("""
Rose Hunter Page Bill Grace May Young Black Price Street Love King Bishop White Brown Green
Gray Little Long Short Wise Strong Sharp Swift Good Best Hope Bird Fox Wolf Crane Swan Hawk
Finch Lamb Bull Steel Stone Wood Field Hill Brook Rivers Lake Marsh Moore Heath Banks Park
Church Chapel Castle Temple Hall Mill Mills Ford Bridge Gates Wall Walls Lane Pool Rich Sterling
Cash Money Gold Silver Cotton Rice Barley Baker Cook Butcher Carpenter Mason Miller Fisher
Farmer Gardner Porter Turner Weaver Tanner Potter Hooper Archer Bowman Knight Squire Pope Dean
Abbott Prior Sexton Major Marshal Sheriff Judge Law Justice Noble Friend Summers Winter Spring
Frost Snow Storm Rain Day Knight Morning Evening Sunday Monday Friday Christmas Easter
Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera
Gomez Diaz Reyes Morales Cruz Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Castillo
Jimenez Vasquez Romero Herrera Medina Aguilar Vargas Guzman Salazar Delgado Cervantes Zuniga
Okafor Adeyemi Nwosu Mensah Boateng Owusu Mwangi Otieno Kamau Ndlovu Dlamini Mokoena Abiodun
Nguyen Tran Le Pham Hoang Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly Truong
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin Luo Kim Lee Park Choi
Jung Kang Cho Yoon Jang Lim Han Shin Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura
Kobayashi Sato Kato Yoshida Yamada Sasaki Patel Shah Singh Kumar Sharma Gupta Reddy Iyer Nair
Menon Rao Desai Joshi Mehta Chatterjee Banerjee Mukherjee Das Bose Khan Ahmed Hussain Ali
Rahman Chaudhry Qureshi Siddiqui Haddad Khoury Nasser Mansour Saleh Farouk Abdullah
Kowalski Nowak Wisniewski Wojcik Kaminski Lewandowski Ivanov Petrov Smirnov Popov Volkov
Kuznetsov Sokolov Novak Horvat Kovacs Nagy Szabo Toth Popescu Ionescu Papadopoulos Georgiou
O'Brien O'Connor O'Sullivan O'Neill McCarthy McDonald MacLeod McKenzie Fitzgerald Fitzpatrick
Murphy Kelly Walsh Byrne Ryan Doyle Gallagher Flanagan Quinn Brennan Donnelly Keane
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti
Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter
Johansson Andersson Nilsson Eriksson Larsson Olsen Hansen Jensen Pedersen Nielsen Berg Lund
Dubois Lefebvre Moreau Laurent Girard Bonnet Dupont Lambert Fontaine Rousseau Chevalier
Kahale Kealoha Akana Fonoti Tuilagi Taufa Fifita Ngata Parata Tipene Yazzie Begay Tsosie
Smith Johnson Williams Jones Davis Wilson Anderson Taylor Thomas Jackson Harris Martin
Thompson Robinson Clark Lewis Walker Allen Wright Scott Adams Nelson Carter Mitchell Roberts
Phillips Campbell Evans Edwards Collins Stewart Morris Rogers Reed Morgan Bell Murray Cooper
Richardson Cox Howard Ward Peterson Gray James Watson Brooks Kelly Sanders Bennett Wood
Barnes Ross Henderson Coleman Jenkins Perry Powell Long Patterson Hughes Washington Butler
Simmons Foster Bryant Alexander Russell Griffin Hayes Myers Ford Graham Sullivan Wallace
Cohen Levy Friedman Goldberg Shapiro Katz Rosenberg Weiss Klein Stern
""")

# Family names with particles or hyphens: kept whole, they are one name.
COMPOUND_FAMILY = (
    "de la Cruz",
    "van der Berg",
    "van Dijk",
    "von Stein",
    "Del Rosario",
    "de Souza",
    "da Silva",
    "dos Santos",
    "Garcia-Lopez",
    "Smith-Okafor",
    "Nguyen-Tran",
    "Ben-David",
    "Al-Sayed",
    "El-Amin",
    "St. Clair",
    "D'Angelo",
    "Le Blanc",
    "Mac an tSaoir",
    "Martinez de Leon",
    "bin Rashid",
    "Abu-Jamal",
    "ter Horst",
    "Ould Ahmed",
    "Kealoha-Akana",
)

TOWNS = _words("""
Marrowfield Ashbury Cold_Harbor Pellston_Falls Quillan Redwater_Junction Saltmarsh Tindale
Upper_Vexley Wrenford Yarrowby Brightwell Cinderford_Bay Dunmore_Springs Elkhollow Fennick
Glasswater Harrowgate_Mills Iverton Juniper_Flats Kestrel_Point Lowbridge Millbrook_Station
New_Caddington Oakhurst_Crossing Port_Allery Quarry_Hill Rosemont_Heights Silverlake Thornbury
Valmere West_Orrin Zephyr_Cove Bramblewick Calder_Ridge Dovecote Emberly Foxhaven Gilmore_Creek
Hollins_Ferry Ironwood_Falls Larkspur Maplecroft Northfold Orchard_Glen Pinecrest_Hollow
San_Isidro_del_Valle Villa_Esperanza Puerto_Lindo Santa_Rufina Ojo_Claro Loma_Alta_Sur
""")

STREETS = _words("""
Birchwood Tanager Quarry Old_Mill Kestrel Larkin Sycamore Fernhill Wickham Hollis Calloway
Ridgeback Marigold Cobbler Millrace Osprey Pennywhistle Saddlebrook Thistle Underhill Vireo
Whitlock Yellowhammer Zinnia Applegate Bellweather Copperfield Driftwood Elmstead Foxglove
Granary Heron Inkberry Juniper Kingfisher Lantern Meadowlark Nettle Orchard Primrose
""")
STREET_TYPES = (
    "St",
    "Street",
    "Ave",
    "Avenue",
    "Rd",
    "Road",
    "Blvd",
    "Ln",
    "Lane",
    "Dr",
    "Drive",
    "Ct",
    "Way",
    "Pl",
    "Terrace",
    "Cir",
    "Pkwy",
)

STATES = (
    ("AL", "Alabama"),
    ("AZ", "Arizona"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MO", "Missouri"),
    ("NC", "North Carolina"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("OH", "Ohio"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WI", "Wisconsin"),
    ("HI", "Hawaii"),
    ("ME", "Maine"),
    ("NV", "Nevada"),
)
COUNTRIES = (
    "Mexico",
    "Canada",
    "India",
    "Nigeria",
    "Philippines",
    "Vietnam",
    "Ireland",
    "United Kingdom",
    "Australia",
    "Germany",
    "Brazil",
    "Guatemala",
    "Poland",
)

HOSPITALS = (
    "St. Brigid's Regional Medical Center",
    "Marrowfield Community Hospital",
    "Ashbury General",
    "Cold Harbor Memorial Hospital",
    "Quillan Valley Health",
    "Our Lady of the Pines Hospital",
    "Wrenford Children's Hospital",
    "Saltmarsh Veterans Medical Center",
    "Harrowgate Mills Infirmary",
    "Kestrel Point Behavioral Health",
    "Hospital General de Santa Rufina",
    "Clinica San Isidro",
    "Juniper Flats Rural Health Clinic",
    "Glasswater Surgical Institute",
    "Northfold University Hospital",
    "Iverton Rehabilitation Hospital",
    "Brightwell Cancer Centre",
    "Emberly Hospice House",
    "Tindale Birthing Center",
    "Maplecroft Skilled Nursing Facility",
)
ORGANIZATIONS = (
    "Calder Ridge Logistics",
    "Pellston Falls Unified School District",
    "Orrin Valley Feed & Seed",
    "Foxhaven Tool and Die",
    "Brightwell Poultry Co.",
    "Wrenford County Sheriff's Office",
    "Kestrel Aerospace Machining",
    "Iverton Federal Credit Union",
    "Saltmarsh Shrimp Co-op",
    "Dovecote Home Care Agency",
    "Larkspur Baptist Church",
    "Hollins Ferry Volunteer Fire Dept.",
    "Yarrowby Cannery",
    "Thornbury Auto Glass",
    "Gilmore Creek Charter Academy",
    "Zephyr Cove Marina",
    "Ironwood Falls Paper Mill",
    "Redwater Junction Rail Yard",
)
PROFESSIONS = (
    "welder",
    "long-haul truck driver",
    "elementary school teacher",
    "commercial fisherman",
    "roofer",
    "pastry chef",
    "airline pilot",
    "dental hygienist",
    "coal miner",
    "firefighter",
    "professional cellist",
    "veterinarian",
    "crop duster",
    "court stenographer",
    "tattoo artist",
    "glassblower",
    "sheep shearer",
    "air traffic controller",
    "lighthouse keeper",
    "taxidermist",
)
PROFESSIONS_ES = (
    "soldador",
    "maestra de primaria",
    "pescador",
    "panadera",
    "albañil",
    "costurera",
    "chofer de camión",
)

DRUGS = (
    ("metformin", "500 mg PO BID"),
    ("lisinopril", "10 mg daily"),
    ("atorvastatin", "40 mg qHS"),
    ("apixaban", "5 mg BID"),
    ("furosemide", "40 mg IV"),
    ("insulin glargine", "22 units qHS"),
    ("levothyroxine", "88 mcg daily"),
    ("amoxicillin-clavulanate", "875-125 mg BID"),
    ("sertraline", "50 mg daily"),
    ("ondansetron", "4 mg ODT q8h PRN"),
    ("oxycodone", "5 mg q4h PRN"),
    ("heparin", "5000 units SC q8h"),
    ("albuterol", "2 puffs q4h"),
    ("tamsulosin", "0.4 mg daily"),
    ("prednisone", "20 mg x5 days"),
    ("semaglutide", "0.5 mg weekly"),
)
EPONYMS = (
    "Parkinson's disease",
    "Hashimoto's thyroiditis",
    "Crohn's disease",
    "Alzheimer's disease",
    "Bell's palsy",
    "Graves' disease",
    "Cushing's syndrome",
    "Addison's disease",
    "Guillain-Barre syndrome",
    "Murphy's sign",
    "Homans' sign",
    "Raynaud's phenomenon",
    "Sjogren's syndrome",
    "Wilson's disease",
    "Kawasaki disease",
    "Barrett's esophagus",
    "Down syndrome",
    "Tourette syndrome",
    "Huntington's disease",
    "Paget's disease",
)
DEPARTMENTS = (
    "Cardiology",
    "Nephrology",
    "Oncology Infusion",
    "Labor & Delivery",
    "Wound Care",
    "Physical Therapy",
    "Behavioral Health",
    "Endocrinology",
    "Pulmonology",
    "4 West",
    "Med-Surg",
    "Pediatrics",
    "Emergency Department",
    "Radiology",
)
CODES = (
    ("ICD10", "E11.9"),
    ("ICD10", "I10"),
    ("ICD10", "J44.1"),
    ("ICD10", "N18.4"),
    ("ICD10", "Z79.4"),
    ("ICD10", "F32.1"),
    ("ICD10", "M54.50"),
    ("ICD10", "I48.91"),
    ("CPT", "99214"),
    ("CPT", "93000"),
    ("CPT", "80053"),
    ("CPT", "G0180"),
    ("CPT", "99349"),
    ("LOINC", "4548-4"),
    ("LOINC", "2345-7"),
    ("LOINC", "8480-6"),
    ("LOINC", "718-7"),
    ("NDC", "0093-7214-01"),
    ("NDC", "00071-0155-23"),
    ("RXNORM", "860975"),
    ("RXNORM", "197361"),
    ("SNOMED", "44054006"),
    ("SNOMED", "38341003"),
)
LABS = (
    ("Hemoglobin A1c", "8.2 %", "4.0-5.6"),
    ("Glucose", "143 mg/dL", "70-99"),
    ("Creatinine", "1.84 mg/dL", "0.60-1.30"),
    ("Potassium", "5.3 mmol/L", "3.5-5.1"),
    ("Hemoglobin", "10.9 g/dL", "12.0-16.0"),
    ("TSH", "6.12 uIU/mL", "0.45-4.50"),
    ("INR", "2.7", "2.0-3.0"),
    ("BNP", "612 pg/mL", "0-100"),
    ("eGFR", "38 mL/min/1.73m2", ">60"),
    ("Sodium", "131 mmol/L", "136-145"),
    ("WBC", "11.4 10*3/uL", "4.0-10.5"),
)
PLANS = (
    "Medicare Advantage PPO",
    "Medicaid Managed Care",
    "Gold HMO 2000",
    "Bronze 60 HSA",
    "Tricare Prime",
    "Silver Plus EPO",
    "Dual Special Needs Plan",
)
ROOMS = (
    "ICU",
    "step-down unit",
    "private room",
    "semi-private room",
    "PACU",
    "negative pressure room",
)
SHIFTS = ("night shift", "day shift", "swing shift", "weekend on-call")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GUIDELINE_URLS = (
    "https://www.cdc.gov/vaccines/schedules/hcp/imz/adult.html",
    "https://www.uspreventiveservicestaskforce.org/uspstf/recommendation/colorectal-cancer-screening",
    "https://www.hl7.org/fhir/R4/patient.html",
    "https://www.cms.gov/medicare/coverage/determination-process",
    "https://www.nice.org.uk/guidance/ng28",
    "https://diabetesjournals.org/care/issue/47/Supplement_1",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
