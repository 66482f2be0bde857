"""PHI-free sentences that make up most of a real note, with the odd typo clinicians make.

Real documents are mostly clinical reasoning and boilerplate; a corpus made only of
identifiers would reward a detector that masks everything.
"""

from __future__ import annotations

from random import Random

CLINICAL = (
    "Denies fever, chills, or night sweats.",
    "Tolerating a regular diet without nausea or vomiting.",
    "Lungs with scattered rhonchi at the bases, no wheezes.",
    "Abdomen soft, non-tender, bowel sounds present in all quadrants.",
    "Ambulating with a walker and standby assist.",
    "Skin warm and dry; no pressure injury noted on sacrum or heels.",
    "Reports adherence to medications but missed two doses last week.",
    "Discussed goals of care; patient wishes to remain full code for now.",
    "Will obtain outside records and repeat imaging if symptoms persist.",
    "Counseled on smoking cessation for more than three minutes.",
    "Pain controlled on current regimen, rated tolerable at rest.",
    "Neuro exam non-focal; strength 5/5 throughout.",
    "Wound edges approximated, scant serous drainage, no erythema.",
    "Patient verbalized understanding of discharge instructions.",
    "Fall precautions in place; bed in lowest position.",
    "Interpreter used for the entire encounter.",
    "Heart regular rate and rhythm, no murmurs, rubs or gallops.",
    "Mild bilateral lower extremity edema, trace to 1+.",
    "Cognition at baseline per family; oriented to person and place.",
    "Tobacco: former smoker, quit many years ago. Alcohol: rare.",
    "No known drug allergies confirmed with patient.",
    "Social work consulted for transportation and medication costs.",
)
CHAT = (
    "ok will do",
    "can someone cover lunch for me",
    "pharmacy says the order is still pending verification",
    "bed board is a mess again",
    "ty!!",
    "transport is 30 min out",
    "did anyone call the family back yet?",
    "pls update the whiteboard when you can",
)
EMAIL = (
    "Let me know if you need anything else from our side.",
    "Sorry for the back and forth on this one.",
    "HIM says the turnaround is usually five business days.",
    "I cc'd compliance since it involves an attorney request.",
    "We can also send it through the secure portal if that is easier.",
)
_TYPOS = (
    ("patient", "pateint"),
    ("received", "recieved"),
    ("the ", "teh "),
    ("with", "wiht"),
    ("medications", "medicaitons"),
    ("family", "famly"),
)


def sentences(r: Random, pool: tuple[str, ...], n: int) -> str:
    chosen = " ".join(r.sample(pool, n))
    if r.random() < 0.15:
        right, wrong = r.choice(_TYPOS)
        chosen = chosen.replace(right, wrong, 1)
    return chosen
