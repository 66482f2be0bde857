"""Notes written in other languages, with their own date, phone, address and id formats."""

from __future__ import annotations

import random

from phigate.masking.eval.casefile import _ids
from phigate.masking.eval.casefile._builder import Builder, D, P
from phigate.masking.eval.casefile._decoys import pick
from phigate.masking.eval.casefile._people import digits, event_day, person

ES_NAMES = (
    "María José Castellanos de la Cruz",
    "Juan Pablo Ruelas Ortiz",
    "Guadalupe Esperanza Vásquez",
)
HT_NAMES = (
    "Woodly Jean-Baptiste",
    "Marie-Ange Pierre-Louis",
    "Jodel Saint-Fleur",
    "Nadège Dorvilus",
)
ZH_NAMES = (("王秀英", "Wang Xiuying"), ("李建国", "Li Jianguo"), ("陈美玲", "Chen Meiling"))
KO_NAMES = (("김민준", "Kim Min-jun"), ("이서연", "Lee Seo-yeon"), ("박지훈", "Park Ji-hoon"))
RU_NAMES = ("Ольга Петровна Смирнова", "Иван Сергеевич Кузнецов", "Надежда Волкова")
PL_NAMES = ("Zofia Szczepańska", "Krzysztof Wróblewski", "Bożena Kowalczyk-Nowak")
AR_NAMES = ("Fatima bint Abdullah Al-Harbi", "Mohammed Abu Saleh", "Layla Abd al-Rahman")


def spanish(rng: random.Random) -> Builder:
    p, b, when = person(rng), Builder("note_spanish"), event_day(rng)
    b.f(
        "Nota de trabajo social, §. Paciente: §, fecha de nacimiento §.\n",
        P("DATE", when.spanish()),
        P("NAME", rng.choice(ES_NAMES)),
        P("DATE", p.dob.dotted().replace(".", "/")),
    )
    b.f(
        "Vive en §, § § con su nieto. Tel. §. Trabaja como § en §.\n",
        P("ADDRESS", p.street),
        P("CITY", p.city),
        P("ZIP", p.zip),
        P("PHONE", f"+52 55 {digits(rng, 4)} {digits(rng, 4)}"),
        P("PROFESSION", "jornalero agrícola"),
        P("ORGANIZATION", "Rancho Los Tres Pinos"),
    )
    b.f(
        "Diagnóstico: § (§). Toma §. Derivada a §.\n",
        D("eponym", "enfermedad de Chagas"),
        pick(rng, "icd10"),
        pick(rng, "drug"),
        pick(rng, "org_type"),
    )
    return b


def creole(rng: random.Random) -> Builder:
    b, when = Builder("note_haitian_creole"), event_day(rng)
    b.f(
        "Nòt swivi, §. Pasyan: §, ki fèt §.\n",
        P("DATE", when.creole()),
        P("NAME", rng.choice(HT_NAMES)),
        P("DATE", person(rng).dob.creole()),
    )
    b.f(
        "Li rete §, § (Ayiti), telefòn §. Pitit fi li nan § rele §.\n",
        P("ADDRESS", f"{rng.randint(2, 120)} Rue {rng.choice(('Capois', 'Pavée', 'Bonne Foi'))}"),
        P("CITY", rng.choice(("Jacmel", "Gonaïves", "Les Cayes"))),
        P("PHONE", f"+509 {digits(rng, 4)}-{digits(rng, 4)}"),
        pick(rng, "state"),
        P("NAME", rng.choice(("Widline", "Fabiola", "Esperance", "Djenane"))),
    )
    b.f(
        "Tansyon: §. Li pran §. Randevou pwochen: §.\n",
        D("vital", "160/95"),
        pick(rng, "drug"),
        pick(rng, "weekday"),
    )
    return b


def chinese(rng: random.Random) -> Builder:
    p, b, when = person(rng), Builder("note_chinese"), event_day(rng)
    zh, pinyin = rng.choice(ZH_NAMES)
    b.f(
        "门诊记录 §\n患者：§（§），身份证号 §\n",
        P("DATE", when.cjk()),
        P("NAME", zh),
        P("NAME", pinyin),
        P("ID", _ids.chinese_id(rng, p.dob)),
    )
    b.f(
        "住址：§，邮编 §。电话：§\n",
        P("ADDRESS", f"北京市朝阳区建国路{rng.randint(1, 200)}号{rng.randint(1, 30)}单元"),
        P("ZIP", f"100{digits(rng, 3)}"),
        P("PHONE", f"138 {digits(rng, 4)} {digits(rng, 4)}"),
    )
    b.f(
        "诊断：2型糖尿病（§），§。处方：§。\n",
        pick(rng, "icd10"),
        pick(rng, "lab"),
        pick(rng, "drug"),
    )
    return b


def korean(rng: random.Random) -> Builder:
    p, b, when = person(rng), Builder("note_korean"), event_day(rng)
    ko, roman = rng.choice(KO_NAMES)
    b.f(
        "진료 기록 § — 환자 § (§), 주민등록번호 §\n",
        P("DATE", when.korean()),
        P("NAME", ko),
        P("NAME", roman),
        P("ID", _ids.korean_rrn(rng, p.dob)),
    )
    b.f(
        "주소: § (우 §) 전화 §, 보호자 휴대폰 §\n",
        P("ADDRESS", f"서울특별시 강남구 테헤란로 {rng.randint(1, 500)}"),
        P("ZIP", digits(rng, 5)),
        P("PHONE", f"+82 2-{digits(rng, 4)}-{digits(rng, 4)}"),
        P("PHONE", f"010-{digits(rng, 4)}-{digits(rng, 4)}"),
    )
    b.f(
        "혈압 §, 처방 §. 여권번호 §. 다음 방문 §.\n",
        D("vital", "142/88 mmHg"),
        pick(rng, "drug"),
        P("ID", _ids.passport(rng)),
        pick(rng, "duration"),
    )
    return b


def russian(rng: random.Random) -> Builder:
    b, when = Builder("note_russian"), event_day(rng)
    b.f(
        "Выписка от §. Пациент: §, дата рождения §.\n",
        P("DATE", when.russian()),
        P("NAME", rng.choice(RU_NAMES)),
        P("DATE", person(rng).dob.dotted()),
    )
    street = f"ул. Садовая, д. {rng.randint(1, 90)}, кв. {rng.randint(1, 200)}"
    b.f(
        "Адрес: §, г. §, §. Тел. §.\n",
        P("ADDRESS", street),
        P("CITY", "Тверь"),
        P("ZIP", f"170{digits(rng, 3)}"),
        P("PHONE", f"+7 495 {digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 2)}"),
    )
    b.f(
        "Диагноз: § (§). Назначено: §. § .\n",
        D("eponym", "болезнь Паркинсона"),
        pick(rng, "icd10"),
        pick(rng, "drug"),
        pick(rng, "lab"),
    )
    return b


def polish(rng: random.Random) -> Builder:
    p, b, when = person(rng), Builder("note_polish"), event_day(rng)
    b.f(
        "Karta informacyjna, §, §. Pacjent: §, PESEL §.\n",
        P("CITY", "Warszawa"),
        P("DATE", when.polish()),
        P("NAME", rng.choice(PL_NAMES)),
        P("ID", _ids.pesel(rng, p.dob)),
    )
    b.f(
        "Adres: §, § §. Tel. §. Nr rej. pojazdu §.\n",
        P("ADDRESS", f"ul. Kwiatowa {rng.randint(1, 80)} m. {rng.randint(1, 40)}"),
        P("ZIP", f"{digits(rng, 2)}-{digits(rng, 3)}"),
        P("CITY", "Warszawa"),
        P("PHONE", f"+48 {digits(rng, 3)} {digits(rng, 3)} {digits(rng, 3)}"),
        P("VEHICLE", f"WX {digits(rng, 5)}"),
    )
    b.f(
        "Rozpoznanie: § (§). Leki: §. Kontrola za §.\n",
        D("eponym", "choroba Hashimoto"),
        pick(rng, "icd10"),
        pick(rng, "drug"),
        pick(rng, "duration"),
    )
    return b


def arabic(rng: random.Random) -> Builder:
    b, when = Builder("note_arabic_translit"), event_day(rng)
    b.f(
        "Mulahaza tibbiya, §. Al-marid: §, raqam al-hawiya §.\n",
        P("DATE", when.dotted().replace(".", "/")),
        P("NAME", rng.choice(AR_NAMES)),
        P("ID", f"1{digits(rng, 9)}"),
    )
    b.f(
        "Al-sakan: §, §. Hatif: §. Jawaz safar §.\n",
        P("ADDRESS", f"Shari' al-Tahlia {rng.randint(1, 99)}"),
        P("CITY", "Jeddah"),
        P("PHONE", f"+966 5{digits(rng, 1)} {digits(rng, 3)} {digits(rng, 4)}"),
        P("ID", _ids.passport(rng)),
    )
    b.f(
        "Al-tashkhis: § (§). Al-dawa: §. Min §.\n",
        pick(rng, "eponym"),
        pick(rng, "icd10"),
        pick(rng, "drug"),
        pick(rng, "country"),
    )
    return b
