"""Word lists the value makers draw from: romanised names and month names."""

from __future__ import annotations

# Name pools for cultures whose romanised names Faker's default locales miss.
GIVEN = {
    "vietnamese": ["Lan", "Minh", "Thao", "Duc", "Huong", "Tuan", "Anh", "Phuong", "Quang", "Ngoc"],
    "arabic": [
        "Abdul-Rahman",
        "Fatima",
        "Yousef",
        "Layla",
        "Omar",
        "Nour",
        "Khalid",
        "Aisha",
        "Samir",
    ],
    "chinese": [
        "Wei",
        "Xiuying",
        "Jun",
        "Mei",
        "Hao",
        "Yan",
        "Zhiwei",
        "Li Na",
        "Chun-Hao",
        "Hsiu-Mei",
    ],
    "irish": ["Siobhán", "Ciarán", "Aoife", "Niamh", "Padraig", "Eoin", "Róisín"],
    "hispanic": [
        "María José",
        "Juan Carlos",
        "Guadalupe",
        "Xóchitl",
        "Jesús",
        "Ana Lucía",
        "Rocío",
    ],
}
FAMILY = {
    "vietnamese": ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vo", "Dang", "Bui", "Nguyễn", "Trần"],
    "arabic": [
        "Al-Farsi",
        "El-Amin",
        "Haddad",
        "bin Saleh",
        "Abu-Salem",
        "Al Rashid",
        "Nasser",
    ],
    "chinese": ["Zhang", "Wang", "Li", "Chen", "Liu", "Huang", "Zhou", "Ng", "Chan", "Hsu"],
    "irish": ["O'Brien", "O'Sullivan", "McCarthy", "D'Arcy", "Ní Bhriain", "Mac Giolla"],
    "hispanic": [
        "de la Cruz",
        "García Márquez",
        "del Río",
        "Hernández-López",
        "de los Santos",
        "Vega y Ruiz",
    ],
}
VIET_MIDDLE = ["Thi", "Van", "Thị", "Văn", "Duc", "Ngoc"]

MONTHS = [
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
]
MESES = [
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
]
