"""Text that is written in a language, or is a tool's ordinary output, is never
withheld as unreadable (`connectors._unreadable`): notes in other scripts (never
judged: they have no Latin words) and the outputs of kubectl, helm, terraform and a
Python traceback, as an agent reads them through exec. Texts written here in the
manner of each."""

from __future__ import annotations

from pathlib import Path

import pytest

from phigate.connectors._unreadable import ENTITY, withheld_text

NOTES = {
    "chinese": "患者于三月三日晚因胸痛入院，疼痛向左臂放射，伴气短。\n"
    "既往有高血压和二型糖尿病史，服用二甲双胍治疗。\n"
    "入院时肌钙蛋白升高，心内科团队给予肝素和阿司匹林。",
    "korean": "환자는 3월 3일 저녁 흉통으로 입원하였으며 통증은 왼쪽 팔로 방사되었습니다.\n"
    "고혈압과 제2형 당뇨병 병력이 있으며 메트포르민을 복용 중입니다.\n"
    "내원 시 트로포닌이 상승하여 심장내과에서 헤파린과 아스피린을 투여하였습니다.",
    "russian": "Пациентка поступила вечером третьего марта с болью в груди, "
    "отдающей в левую руку.\n"
    "В анамнезе гипертоническая болезнь и сахарный диабет второго типа, принимает метформин.\n"
    "При поступлении тропонин повышен, кардиологи начали гепарин и аспирин до катетеризации.",
    "arabic": "أدخلت المريضة مساء الثالث من مارس بسبب ألم في الصدر يمتد إلى الذراع الأيسر.\n"
    "لديها تاريخ من ارتفاع ضغط الدم والسكري من النوع الثاني وتتناول الميتفورمين.\n"
    "كان التروبونين مرتفعا عند الوصول وبدأ فريق القلب الهيبارين والأسبرين.",
    "greek": "Η ασθενής εισήχθη το βράδυ της τρίτης Μαρτίου με θωρακικό άλγος "
    "προς το αριστερό χέρι.\n"
    "Έχει ιστορικό υπέρτασης και σακχαρώδους διαβήτη τύπου δύο και λαμβάνει μετφορμίνη.\n"
    "Η τροπονίνη ήταν αυξημένη και η καρδιολογική ομάδα ξεκίνησε ηπαρίνη και ασπιρίνη.",
    "hebrew": "המטופלת אושפזה בערב השלישי במרץ עקב כאב בחזה המקרין לזרוע שמאל וקוצר נשימה.\n"
    "ברקע יתר לחץ דם וסוכרת מסוג שתיים, מטופלת במטפורמין.\n"
    "הטרופונין היה מוגבר בקבלה וצוות הקרדיולוגיה התחיל הפרין ואספירין.",
}

# Languages written in Latin letters whose words inflect (a dictionary's first words
# hold fewer of a sentence's): judged, and read.
INFLECTED = {
    "polish": "Pacjentka została przyjęta wieczorem trzeciego marca z bólem w klatce "
    "piersiowej promieniującym do lewego ramienia oraz dusznością.",
    "czech": "Doporučujeme pokračovat v léčbě, pravidelně kontrolovat krevní tlak a přijít "
    "na kontrolu do kardiologické ambulance za dva týdny.",
    "slovak": "Pacientka bola prijatá večer tretieho marca s bolesťou na hrudníku "
    "vystreľujúcou do ľavej ruky a dýchavičnosťou.",
    "turkish": "Hasta üç Mart akşamı sol kola yayılan göğüs ağrısı ve nefes darlığı "
    "şikayetiyle hastaneye yatırıldı ve tedavisine başlandı.",
    "hungarian": "A beteget március harmadikán este vették fel mellkasi fájdalommal, amely "
    "a bal karjába sugárzott, valamint légszomjjal.",
    "finnish": "Potilas otettiin sisään maaliskuun kolmannen päivän iltana rintakivun "
    "vuoksi, joka säteili vasempaan käsivarteen, ja hänellä oli hengenahdistusta.",
    "croatian": "Pacijentica je primljena trećeg marta uvečer zbog bola u grudima koji se "
    "širio u lijevu ruku i otežanog disanja.",
    "lithuanian": "Pacientė buvo paguldyta kovo trečiosios vakarą dėl krūtinės skausmo, "
    "plintančio į kairę ranką, ir dusulio.",
}

# Outputs in each tool's manner, one file each: their lines are as long as the tools'.
TOOLS = Path(__file__).with_name("readable_text")


@pytest.mark.parametrize("name", list(NOTES))
def test_a_note_in_another_script_passes(name: str) -> None:
    counts: dict[str, int] = {}
    assert withheld_text(NOTES[name], counts) == NOTES[name]
    assert ENTITY not in counts


@pytest.mark.parametrize("name", list(INFLECTED))
def test_a_note_in_an_inflected_language_passes(name: str) -> None:
    counts: dict[str, int] = {}
    assert withheld_text(INFLECTED[name], counts) == INFLECTED[name]
    assert ENTITY not in counts


@pytest.mark.parametrize("name", sorted(p.name for p in TOOLS.glob("*.txt")))
def test_a_tools_output_passes(name: str) -> None:
    text = (TOOLS / name).read_text()
    counts: dict[str, int] = {}
    shown = withheld_text(text, counts)
    kept = [a for a, b in zip(text.split("\n"), shown.split("\n"), strict=True) if a != b]
    assert kept == [], kept
    assert ENTITY not in counts
