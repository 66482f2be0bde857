from __future__ import annotations

import pytest

from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings

KEY = b"test-key-0123456789abcdef"


@pytest.fixture(scope="session")
def engine() -> MaskingEngine:
    return MaskingEngine(MaskingSettings(), KEY)


@pytest.fixture(scope="session")
def safe_harbor(engine: MaskingEngine) -> Masker:
    return engine.masker("hipaa-safe-harbor")
