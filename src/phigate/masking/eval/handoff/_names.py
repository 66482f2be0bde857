"""Pools of given and family names from many origins, written for this corpus.

Names that are also ordinary English words (Rose, Hunter, Page, Bill, Grace, May,
Young, Black, Price, Street, ...) are included on purpose: a detector that keeps
every dictionary word readable leaks them.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


_GIVEN = _words("""
Aaliyah Abigail Ada Adaeze Adebayo Adele Adriana Agnieszka Ahmad Aiko Aisha Akua Alasdair
Alejandro Aleksander Alessandra Alfonso Alibek Alma Amaka Amara Ambrose Amelie Anastasia Anders
Andrzej Anh Anil Anjali Annika Ansel Antoine Aoife Apolonia Ardith Arjun Arturo Asha Astrid
Augustin Aurelio Ayodele Ayumi Babajide Bao Barnaby Basil Beatriz Benedikt Berenice Bernadette
Bich Bill Birgit Blessing Bo Bonifacio Brandon Brigid Bronwyn Bui Caoimhe Carmelita Cedric Chidi
Chiamaka Chinonso Chloe Chukwuemeka Cian Clemence Colm Consolata Corazon Cosmin Cyprian Dagny
Dalisay Dang Darnell Dashiell Dawit Deepika Delphine Desmond Dhruv Diarmuid Dietrich Dimakatso
Divya Dolores Dominik Duc Dung Eamon Ebele Edwige Efosa Eitan Ekaterina Eleni Elif Eliska Elodie
Emeka Emeline Enrique Eoghan Esperanza Estelle Eun-ji Evangeline Ezinne Fadila Farah Fatima
Felicitas Fenna Fernando Fiachra Fidelma Florentino Folake Fortunato Francisca Fumiko Funmilayo
Gabor Gaspard Genoveva Gerlinde Ghislaine Giang Gintaras Giuseppina Gloria Godfrey Grace Gudrun
Guadalupe Gwendolyn Habib Hadiza Hai Halima Hamza Hanh Hannelore Harjit Haruto Hasan Heike Helga
Herminio Hieu Hildegard Hoang Honor Hunter Huong Ibrahim Ifeoma Ignacio Ikechukwu Ilse Imelda
Inaya Ingrid Isagani Ishaan Itzel Ivo Jadwiga Jamal Janek Javier Jaya Jericho Joaquim Jocelyn
Jolanta Jonas Josefina Jovelyn Jun Jurgen Kaveh Kazimierz Keanu Kehinde Khadija Khanh Kiran
Klaus Kofi Kwame Lakshmi Lan Leilani Leocadia Leopold Liesel Linh Lorcan Lourdes Ludmila Luzviminda
Macario Madhuri Magdalena Mai Malak Manon Maribel Marisol Marketa Marlowe Matthias Maximiliano
May Mehmet Meera Mercedes Mihai Milagros Minh Mirela Moana Mohammed Mónica Nadia Nam Nanami Narges
Narciso Ngozi Nguyet Niamh Nikolai Nilufar Nkechi Noor Nuala Obinna Odalys Oksana Olamide Olusegun
Omar Ondrej Oona Orla Oscar Otto Pablo Padraig Page Parvati Pascale Patrice Perpetua Phuong Pilar
Piotr Precious Priya Quang Quentin Rafaela Rahel Rajesh Ramon Rania Reinhard Remedios Rhiannon Rizal
Rocio Rolando Rose Rosalind Rowena Rukhsana Ruslan Sabine Sadia Saoirse Sebastiano Segun Seo-yeon
Serafina Shanice Shira Siddharth Siobhan Soledad Solveig Sunita Svetlana Tadeusz Tamar Tariq
Temitope Teodoro Thanh Thi Thuy Tiago Tobiah Tomasz Trinh Tuan Tunde Ulrike Umar Uzma Valentin
Vasilisa Venkat Veronika Vikram Vinh Violeta Wairimu Waleed Wanjiru Wendell Wilhelmina Winnifred
Xiomara Xuan Yasmin Yetunde Yolanda Yusuf Zainab Zdenek Zeynep Zofia Zuleika Amos Bernard Clement
Dorothea Ebenezer Florence Gideon Harriet Ignatius Josiah Lavinia Mabel Nathaniel Ophelia Prudence
Reginald Silas Thaddeus Ursula Virgil Winifred Cole Dale Hope Faith Joy Sterling Summer Autumn
Victory Sunday Ember Hazel Ivy Jade Pearl Ruby Robin Wren Sky Rusty Buck Chase Drew Lane Rich
""")

_FAMILY = _words("""
Abernathy Achterberg Adeyemi Afolabi Agbaje Aguilar Ahn Akhtar Alcantara Alvarado Amadi Andersson
Anyanwu Aquino Araujo Arceneaux Arellano Babatunde Bacani Badalamenti Baptiste Barzani Bautista
Becerra Begum Bellweather Bergström Bhattacharya Bianchi Bjornsen Black Blanchet Bockarie Bondarenko
Brannigan Brzezinski Bui Byrne Cabrera Cadwallader Caldwell Calloway Camacho Carrasco Castellanos
Cavanaugh Chaudhry Chen Chikwanha Chinwe Choudhury Chukwu Cisneros Coelho Concepcion Cormier
Cruickshank Cuthbert Dabrowski Dang Dasgupta Delacroix Desrosiers Dhillon Diallo Dinh Dlamini
Doan Dombrowski Drummond Duarte Dunleavy Dvorak Eberhardt Echeverria Egwu Ekwueme Eliasson Emenike
Escobar Esposito Eze Falkenrath Farouk Fitzgerald Flores Fonseca Fournier Gallagher Garrido Gatdula
Gaudreau Ghosh Giordano Gonzaga Grabowski Greenhalgh Guerrero Gunawardena Gutierrez Haddad Hakimi
Halvorsen Hammerschmidt Haruna Hashemi Hearne Hernandez Hoang Hollingsworth Hunter Huynh Ibekwe
Idowu Ignatowicz Iheanacho Ilunga Iwu Jablonski Jaramillo Jimenez Johansson Kaczmarek Kamau
Kapoor Karimi Kaur Kavanagh Kettleborough Khalil Khumalo Kiplagat Kowalczyk Krishnamurthy Kuznetsov
Laframboise Lagasca Lam Larkspur Le Leclerc Lindqvist Llewellyn Lombardi Lozano Luu Macaraeg
Mahlangu Majewski Malabanan Mallory Mandal Marchetti Marquez Mbeki McAllister McGillicuddy Medina
Mendoza Mensah Mukherjee Murtagh Musa Mwangi Nakamura Nakashima Navarro Ndlovu Nnamdi Nowak
Nwachukwu Nwosu Obiora Odhiambo Odukoya Ogunleye Okafor Okonkwo Okoro Olaniyan Oyelaran Ozturk
Padilla Page Pangilinan Papadopoulos Patel Pereira Pham Phan Pietrzak Price Przybylski Quigley
Quintero Rahman Ramaswamy Ramirez Rasmussen Reyes Rhodes Rocha Rodrigues Rojas Rose Rosario Rousseau
Ruiz Saavedra Salazar Samarasinghe Sandoval Santiago Schreiber Schwarzkopf Sengupta Serrano Shapiro
Shevchenko Siddiqui Silva Sokolov Soto Srinivasan Stanislawski Steinmetz Street Sutherland Szabo
Takahashi Talavera Tan Tanaka Teodoro Thibodeaux Tiwari Tolentino Tran Trinh Truong Turnbull Ugwu
Urquhart Valdez Vasquez Venkataraman Villanueva Vo Vu Wainwright Wasserman Weatherby Whitlock
Wojcik Woodhouse Xiong Yamamoto Yeboah Young Zaragoza Zielinski Zubiri Bill Baker Bird Bell Bishop
Brook Carpenter Church Cook Day Fisher Fox Frost Gold Golden Green Hall Hill Holiday King Lamb
Little Love Major Mason Miller Moon Morning Noble Parsons Pepper Rainwater Rich Savage Shepherd
Short Sparrow Stone Summers Swift Taylor Wall Walker Ward Waters Weaver Winter Wise Wolf Woods
""")

# Family names with particles or internal spaces and hyphens, spelled as their owners do.
_FAMILY_COMPOUND = (
    "van der Berg",
    "van Dijk",
    "de la Cruz",
    "dela Cruz",
    "De Los Santos",
    "del Rosario",
    "de Guzman",
    "von Hohenberg",
    "zu Lowenstein",
    "Le Goff",
    "da Silva",
    "dos Santos",
    "Al-Hashimi",
    "Al-Farsi",
    "El-Sayed",
    "bin Abdullah",
    "Abu Bakr",
    "Ben-David",
    "O'Brien",
    "O'Sullivan",
    "Mac an tSaoi",
    "Ní Bhriain",
    "García-Márquez",
    "Fernández de Córdoba",
    "Smith-Okafor",
    "Nguyễn",
    "Trần",
    "Lê Văn",
    "St. Clair",
    "D'Angelo",
)

# Vietnamese names written family first with a middle name, as in Vietnam.
_VIETNAMESE = (
    ("Nguyễn", "Thị", "Hoa"),
    ("Trần", "Văn", "Minh"),
    ("Phạm", "Thu", "Hằng"),
    ("Lê", "Quang", "Huy"),
    ("Đặng", "Ngọc", "Anh"),
    ("Võ", "Thanh", "Tâm"),
)

GIVEN: tuple[str, ...] = tuple(dict.fromkeys(_GIVEN))
FAMILY: tuple[str, ...] = tuple(dict.fromkeys(_FAMILY)) + _FAMILY_COMPOUND
VIETNAMESE: tuple[tuple[str, str, str], ...] = _VIETNAMESE
