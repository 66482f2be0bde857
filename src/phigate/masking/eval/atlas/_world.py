"""Notes written abroad or by patients in their own language, with local identifier formats."""

from __future__ import annotations

from phigate.masking.eval.atlas import _ids
from phigate.masking.eval.atlas._builder import D, Doc, P
from phigate.masking.eval.atlas._kit import Kit
from phigate.masking.eval.atlas._people import a_date
from phigate.masking.eval.corpus import Document

_VI_NAMES = ("Nguyễn Thị Lan", "Trần Văn Minh", "Lê Hoàng Phúc", "Phạm Thị Thu Hà", "Võ Quốc Bảo")
_TL_NAMES = (
    "Maria Cristina dela Cruz",
    "Jose Emmanuel Bautista",
    "Rowena Macaraeg",
    "Dindo delos Santos",
)
_PT_NAMES = (
    "João Pedro da Silva Santos",
    "Ana Beatriz de Oliveira",
    "Luiz Fernando dos Reis",
    "Maria das Graças Souza",
)
_JA_NAMES = ("山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "ヤマダ タロウ", "渡辺 健")
_HI_NAMES = ("राजेश कुमार", "सुनीता शर्मा", "Rajesh Kumar", "Sunita Sharma", "अमित वर्मा", "Priya Iyer")
_AR_NAMES = ("محمد عبد الله", "فاطمة الزهراء", "أحمد بن علي", "ليلى حداد")
_HE_NAMES = ("יוסף כהן", "מרים לוי", "דוד בן־עמי", "שרה אברהם")
_EL_NAMES = ("Γιώργος Παπαδόπουλος", "Ελένη Κωνσταντίνου", "Νίκος Αθανασίου", "Μαρία Οικονόμου")
_TH_NAMES = ("สมชาย ใจดี", "สมศรี รักไทย", "วิชัย ศรีสุข", "นภา วงศ์ทอง")
_DE_NAMES = (
    "Jürgen Müller-Lüdenscheidt",
    "Anneliese von Bredow",
    "Karl-Heinz Schröder",
    "Gudrun Weiß",
    "Henrike zu Salm",
)
_PT_MONTHS = (
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)
_DE_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_HI_MONTHS = (
    "जनवरी",
    "फ़रवरी",
    "मार्च",
    "अप्रैल",
    "मई",
    "जून",
    "जुलाई",
    "अगस्त",
    "सितंबर",
    "अक्टूबर",
    "नवंबर",
    "दिसंबर",
)
_EL_MONTHS = (
    "Ιανουαρίου",
    "Φεβρουαρίου",
    "Μαρτίου",
    "Απριλίου",
    "Μαΐου",
    "Ιουνίου",
    "Ιουλίου",
    "Αυγούστου",
    "Σεπτεμβρίου",
    "Οκτωβρίου",
    "Νοεμβρίου",
    "Δεκεμβρίου",
)
_TH_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def vietnamese(k: Kit) -> Document:
    r, doc = k.r, Doc("note_vietnamese")
    day = a_date(r, 1940, 2010)
    drug, dose = k.d.drug()
    doc.line("PHIẾU KHÁM BỆNH — ", P(k.pick("Bệnh viện Chợ Rẫy", "Bệnh viện Bạch Mai"), "HOSPITAL"))
    doc.line(
        "Họ tên: ",
        P(r.choice(_VI_NAMES), "NAME"),
        "   Ngày sinh: ",
        P(f"{day.day:02d}/{day.month:02d}/{day.year}", "DATE"),
    )
    doc.line(
        "Số CCCD: ",
        P(f"0{r.randint(1, 96):02d}{_ids.digits(r, 9, first_nonzero=False)}", "ID"),
        "   Mã BHYT: ",
        P(f"DN4{r.randint(10**11, 10**12 - 1)}", "HEALTH_PLAN"),
    )
    doc.line(
        "Địa chỉ: ",
        P(f"{r.randint(1, 300)} đường Lê Lợi, phường Bến Thành", "ADDRESS"),
        ", ",
        P(k.pick("Quận 1, TP. Hồ Chí Minh", "Hà Nội"), "CITY"),
    )
    doc.line(
        "Điện thoại: ",
        P(f"09{r.randint(0, 9)} {r.randint(100, 999)} {r.randint(1000, 9999)}", "PHONE"),
    )
    doc.line(
        "Chẩn đoán: ",
        k.d.pick("icd10"),
        " tăng huyết áp; ",
        k.d.pick("vital"),
        ". Thuốc: ",
        drug,
        " ",
        dose,
        ", ",
        k.d.quantity(),
        ".",
    )
    return doc.build()


def tagalog(k: Kit) -> Document:
    r, doc = k.r, Doc("note_tagalog")
    day = a_date(r, 1940, 2015)
    doc.line(
        "Magandang araw po! Ako si ",
        P(r.choice(_TL_NAMES), "NAME"),
        ", ipinanganak noong ",
        P(f"{day.month:02d}/{day.day:02d}/{day.year}", "DATE"),
        ".",
    )
    doc.line(
        "PhilHealth no. ko: ",
        P(f"{r.randint(10, 99)}-{r.randint(10**8, 10**9 - 1)}-{r.randint(0, 9)}", "HEALTH_PLAN"),
        " po.",
    )
    doc.line(
        "Nakatira po ako sa ",
        P(f"{r.randint(1, 999)} Mabini St., Brgy. San Roque", "ADDRESS"),
        ", ",
        P(k.pick("Lungsod Quezon", "Cebu City", "Davao City"), "CITY"),
        " ",
        P(f"{r.randint(1000, 9999)}", "ZIP"),
        ".",
    )
    doc.line(
        "Cellphone: ",
        P(f"+63 9{r.randint(10, 99)} {r.randint(100, 999)} {r.randint(1000, 9999)}", "PHONE"),
        ". Umiinom po ako ng ",
        *k.d.dosed(),
        " tuwing ",
        k.d.pick("weekday"),
        ".",
    )
    doc.line("Salamat po sa ", k.d.pick("department"), ". 🙏")
    return doc.build()


def portuguese(k: Kit) -> Document:
    r, doc = k.r, Doc("note_portuguese_br")
    day = a_date(r, 1935, 2015)
    date = (
        f"{day.day} de {_PT_MONTHS[day.month - 1]} de {day.year}"
        if k.chance(0.5)
        else f"{day.day:02d}/{day.month:02d}/{day.year}"
    )
    doc.line(
        "EVOLUÇÃO AMBULATORIAL — ",
        P(
            k.pick(
                "Hospital das Clínicas de Ribeirão Preto",
                "Santa Casa de Misericórdia de Belo Horizonte",
            ),
            "HOSPITAL",
        ),
    )
    doc.line(
        "Paciente: ",
        P(r.choice(_PT_NAMES), "NAME"),
        "  Nasc.: ",
        P(date, "DATE"),
        "  CPF: ",
        P(_ids.cpf(r), "ID"),
    )
    doc.line(
        "Cartão SUS: ",
        P(f"{r.choice('12789')}{r.randint(10**13, 10**14 - 1)}", "HEALTH_PLAN"),
        "  Tel.: ",
        P(f"(11) 9{r.randint(1000, 9999)}-{r.randint(1000, 9999)}", "PHONE"),
    )
    doc.line(
        "End.: ",
        P(f"Rua das Acácias, {r.randint(10, 2000)}, apto {r.randint(11, 150)}", "ADDRESS"),
        " — ",
        P(k.pick("São Paulo", "Campinas", "Belo Horizonte"), "CITY"),
        " — CEP ",
        P(f"{r.randint(10000, 99999)}-{r.randint(0, 999):03d}", "ZIP"),
    )
    doc.line(
        "HD: ",
        k.d.pick("icd10"),
        "; ",
        k.d.pick("lab"),
        ". Conduta: manter ",
        *k.d.dosed(),
        " por ",
        k.d.duration(),
        ".",
    )
    return doc.build()


def japanese(k: Kit) -> Document:
    r, doc = k.r, Doc("note_japanese")
    day = a_date(r, 1930, 2015)
    doc.line(
        "診療情報提供書　",
        P(k.pick("東京中央病院", "大阪北総合病院", "札幌みなみクリニック"), "HOSPITAL"),
    )
    doc.line(
        "患者氏名：",
        P(r.choice(_JA_NAMES), "NAME"),
        "　様　生年月日：",
        P(f"{day.year}年{day.month}月{day.day}日", "DATE"),
    )
    if k.chance(0.4):
        doc.line("年齢：", P(str(k.p.old_age()[0]), "AGE"), "歳")
    else:
        doc.line("年齢：", k.d.age(), "歳")
    doc.line(
        "住所：〒",
        P(f"{r.randint(100, 999)}-{r.randint(0, 9999):04d}", "ZIP"),
        "　",
        P(k.pick("東京都", "大阪府", "北海道札幌市"), "CITY"),
        P(f"千代田区丸の内{r.randint(1, 3)}-{r.randint(1, 20)}-{r.randint(1, 30)}", "ADDRESS"),
    )
    doc.line(
        "電話：",
        P(f"0{r.randint(3, 99)}-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}", "PHONE"),
        "　マイナンバー：",
        P(_ids.my_number(r), "ID"),
    )
    doc.line(
        "保険者番号：",
        P(f"{r.randint(10**7, 10**8 - 1)}", "HEALTH_PLAN"),
        "　診断：",
        k.d.pick("icd10"),
        "　処方：",
        *k.d.dosed(),
        "　",
        k.d.pick("lab"),
    )
    return doc.build()


def hindi(k: Kit) -> Document:
    r, doc = k.r, Doc("note_hindi")
    day = a_date(r, 1940, 2015)
    date = (
        f"{day.day} {_HI_MONTHS[day.month - 1]} {day.year}"
        if k.chance(0.5)
        else f"{day.day:02d}-{day.month:02d}-{day.year}"
    )
    doc.line("रोगी का नाम: ", P(r.choice(_HI_NAMES), "NAME"), "   जन्म तिथि: ", P(date, "DATE"))
    doc.line(
        "आधार: ",
        P(_ids.aadhaar(r), "ID"),
        "   मोबाइल: ",
        P(f"+91 {r.choice('6789')}{r.randint(1000, 9999)} {r.randint(10000, 99999)}", "PHONE"),
    )
    doc.line(
        "पता: ",
        P(f"{r.randint(1, 400)}, गांधी नगर", "ADDRESS"),
        ", ",
        P(k.pick("जयपुर", "Lucknow", "पुणे"), "CITY"),
        " - ",
        P(f"{r.randint(110001, 855999)}", "ZIP"),
    )
    doc.line(
        "Mareez ko ",
        k.d.pick("eponym"),
        " hai; ",
        *k.d.dosed(),
        " roz ek baar. ",
        k.d.pick("vital"),
        ". ABHA: ",
        P(
            f"{r.randint(10, 99)}-{r.randint(1000, 9999)}"
            f"-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
            "HEALTH_PLAN",
        ),
    )
    doc.line(
        "अस्पताल: ",
        P(k.pick("एम्स नई दिल्ली", "Sawai Man Singh Hospital"), "HOSPITAL"),
        "; ",
        k.d.pick("department"),
    )
    return doc.build()


def arabic(k: Kit) -> Document:
    r, doc = k.r, Doc("note_arabic")
    day = a_date(r, 1940, 2015)
    date = f"{day.day:02d}/{day.month:02d}/{day.year}"
    if k.chance(0.5):
        date = date.translate(_ARABIC_DIGITS)
    doc.line("تقرير طبي — ", P(k.pick("مستشفى الملك فهد", "مستشفى الجامعة الأردنية"), "HOSPITAL"))
    doc.line("اسم المريض: ", P(r.choice(_AR_NAMES), "NAME"), " — تاريخ الميلاد: ", P(date, "DATE"))
    doc.line(
        "رقم الهوية: ",
        P(f"1{r.randint(10**8, 10**9 - 1)}", "ID"),
        " — الجوال: ",
        P(f"+966 5{r.randint(0, 9)} {r.randint(100, 999)} {r.randint(1000, 9999)}", "PHONE"),
    )
    doc.line(
        "العنوان: ",
        P(f"حي النزهة، شارع {r.randint(1, 90)}", "ADDRESS"),
        "، ",
        P(k.pick("الرياض", "جدة", "عمّان"), "CITY"),
        " ",
        P(f"{r.randint(10000, 99999)}", "ZIP"),
    )
    doc.line("التشخيص: ", k.d.pick("icd10"), " — العلاج: ", *k.d.dosed(), " — ", k.d.pick("lab"))
    return doc.build()


def hebrew(k: Kit) -> Document:
    r, doc = k.r, Doc("note_hebrew")
    day = a_date(r, 1940, 2015)
    doc.line("סיכום ביקור — ", P(k.pick("המרכז הרפואי שיבא", "בית החולים רמב״ם"), "HOSPITAL"))
    doc.line(
        "שם המטופל: ",
        P(r.choice(_HE_NAMES), "NAME"),
        "   ת.ז.: ",
        P(_ids.teudat_zehut(r), "ID"),
        "   תאריך לידה: ",
        P(f"{day.day:02d}.{day.month:02d}.{day.year}", "DATE"),
    )
    doc.line(
        "כתובת: ",
        P(f"רחוב הרצל {r.randint(1, 200)}", "ADDRESS"),
        ", ",
        P(k.pick("חיפה", "תל אביב-יפו", "באר שבע"), "CITY"),
        " ",
        P(f"{r.randint(10**6, 10**7 - 1)}", "ZIP"),
    )
    doc.line(
        "טלפון: ",
        P(f"05{r.randint(0, 8)}-{r.randint(100, 999)}-{r.randint(1000, 9999)}", "PHONE"),
        "   קופה: ",
        k.pick("כללית", "מכבי"),
        " ",
        P(f"{r.randint(10**6, 10**7 - 1)}", "HEALTH_PLAN"),
    )
    doc.line("אבחנה: ", k.d.pick("icd10"), "; טיפול: ", *k.d.dosed(), "; ", k.d.pick("vital"))
    return doc.build()


def greek(k: Kit) -> Document:
    r, doc = k.r, Doc("note_greek")
    day = a_date(r, 1940, 2015)
    date = (
        f"{day.day} {_EL_MONTHS[day.month - 1]} {day.year}"
        if k.chance(0.5)
        else f"{day.day}/{day.month}/{day.year}"
    )
    doc.line(
        "ΙΑΤΡΙΚΗ ΓΝΩΜΑΤΕΥΣΗ — ",
        P(
            k.pick("Γενικό Νοσοκομείο Αθηνών «Ευαγγελισμός»", "Πανεπιστημιακό Νοσοκομείο Πατρών"),
            "HOSPITAL",
        ),
    )
    doc.line(
        "Ασθενής: ",
        P(r.choice(_EL_NAMES), "NAME"),
        ", γεν. ",
        P(date, "DATE"),
        ", ΑΜΚΑ ",
        P(_ids.amka(r, (day.year, day.month, day.day)), "ID"),
    )
    doc.line(
        "Διεύθυνση: ",
        P(f"Οδός Ερμού {r.randint(1, 150)}", "ADDRESS"),
        ", ",
        P(k.pick("Αθήνα", "Θεσσαλονίκη", "Πάτρα"), "CITY"),
        " ",
        P(f"{r.randint(100, 851)} {r.randint(10, 99)}", "ZIP"),
    )
    doc.line(
        "Τηλ.: ",
        P(f"69{r.randint(10, 99)} {r.randint(100, 999)} {r.randint(100, 999)}", "PHONE"),
        ". Διάγνωση ",
        k.d.pick("icd10"),
        ", αγωγή ",
        *k.d.dosed(),
        ".",
    )
    return doc.build()


def thai(k: Kit) -> Document:
    r, doc = k.r, Doc("note_thai")
    day = a_date(r, 1940, 2015)
    date = f"{day.day} {_TH_MONTHS[day.month - 1]} {day.year + 543}"
    doc.line("บันทึกการรักษา — ", P(k.pick("โรงพยาบาลศิริราช", "โรงพยาบาลมหาราชนครเชียงใหม่"), "HOSPITAL"))
    doc.line("ชื่อผู้ป่วย: ", P(r.choice(_TH_NAMES), "NAME"), "  วันเกิด: ", P(date, "DATE"))
    doc.line(
        "เลขประจำตัวประชาชน: ",
        P(_ids.thai_id(r), "ID"),
        "  โทร: ",
        P(f"08{r.randint(0, 9)}-{r.randint(100, 999)}-{r.randint(1000, 9999)}", "PHONE"),
    )
    doc.line(
        "ที่อยู่: ",
        P(f"{r.randint(1, 999)}/{r.randint(1, 99)} ถนนสุขุมวิท", "ADDRESS"),
        " ",
        P(k.pick("กรุงเทพมหานคร", "เชียงใหม่"), "CITY"),
        " ",
        P(f"{r.randint(10, 96)}{r.randint(100, 999)}", "ZIP"),
    )
    doc.line("การวินิจฉัย: ", k.d.pick("icd10"), "  ยา: ", *k.d.dosed(), "  ", k.d.pick("lab"))
    return doc.build()


def german(k: Kit) -> Document:
    r, doc = k.r, Doc("note_german")
    day = a_date(r, 1930, 2015)
    date = (
        f"{day.day}. {_DE_MONTHS[day.month - 1]} {day.year}"
        if k.chance(0.4)
        else f"{day.day:02d}.{day.month:02d}.{day.year}"
    )
    doc.line(
        "Arztbrief — ",
        P(
            k.pick(
                "Klinikum rechts der Isar",
                "Universitätsklinikum Heidelberg",
                "St.-Marien-Hospital Bonn",
            ),
            "HOSPITAL",
        ),
        ", Abteilung ",
        D(k.pick("Kardiologie", "Nephrologie"), "department"),
    )
    doc.line(
        "Patientin: ",
        P(r.choice(_DE_NAMES), "NAME"),
        ", geb. ",
        P(date, "DATE"),
        ", KVNR ",
        P(_ids.kvnr(r), "HEALTH_PLAN"),
    )
    doc.line(
        "Anschrift: ",
        P(
            f"{k.pick('Lindenstraße', 'Am Mühlbach', 'Königsallee')} "
            f"{r.randint(1, 120)}{k.pick('', 'a', 'b')}",
            "ADDRESS",
        ),
        ", ",
        P(f"{r.randint(1067, 99998):05d}", "ZIP"),
        " ",
        P(k.pick("München", "Heidelberg", "Bonn", "Görlitz"), "CITY"),
    )
    doc.line(
        "Tel. ",
        P(f"0{r.randint(30, 899)} {r.randint(100000, 9999999)}", "PHONE"),
        "; Bankverbindung ",
        P(_ids.iban_de(r), "ACCOUNT"),
    )
    doc.line(
        "Diagnose: ",
        k.d.pick("eponym"),
        " (",
        k.d.pick("icd10"),
        "); Medikation: ",
        *k.d.dosed(),
        " 1-0-1; ",
        k.d.pick("lab"),
        ".",
    )
    return doc.build()
