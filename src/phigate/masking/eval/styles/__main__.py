"""``python -m phigate.masking.eval.styles --seed S --n N --out F.jsonl``."""

from phigate.masking.eval.styles import main

raise SystemExit(main())
