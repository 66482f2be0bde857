"""The exception tree of phigate. Each front door maps these to its own shape.

PhigateError                      every error the gateway raises on purpose
├── ConfigError                   invalid configuration (file, line, key, expectation)
├── AuthenticationError           no or bad credentials          → 401 / 28P01 / exit 2
├── NotAllowedError               authenticated but not permitted → 403 / 42501
│   └── NotEligibleError          may not vote on this approval
├── NotFoundError                 unknown action, approval, connection → 404
├── ConflictError                 state forbids it (already decided, already run) → 409
│   ├── ExpiredError              the approval or action expired → 410
│   └── AwaitingApprovalError     policy now needs more votes than it has → 409
├── InvalidRequestError           malformed input → 400 / 08P01
├── RequestTooLargeError          a request body over limits.max_body_bytes → 413
├── ResultTooLargeError           a value or result over limits.max_*_bytes → 422 / 54000
├── AuditUnavailableError         the audit log cannot be written: nothing runs → 503
│   └── OutcomeUnrecordedError    it ran (or may have); its outcome is not on record → 503 / 08007
├── MaskingFailedError            masking failed: nothing leaves → 500
└── UpstreamError                 the upstream system failed the action → 502
    └── UpstreamBusyError         every upstream connection is in use → 503 / 53300
        └── PrincipalBusyError    this principal holds its share already → 429 / 53300
"""

from __future__ import annotations


class PhigateError(Exception):
    """Base class; `code` is a stable machine-readable name for the error."""

    code = "error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(PhigateError):
    code = "invalid_config"
    http_status = 500


class AuthenticationError(PhigateError):
    code = "unauthenticated"
    http_status = 401


class NotAllowedError(PhigateError):
    code = "forbidden"
    http_status = 403


class NotEligibleError(NotAllowedError):
    code = "not_eligible"


class NotFoundError(PhigateError):
    code = "not_found"
    http_status = 404


class ConflictError(PhigateError):
    code = "conflict"
    http_status = 409


class ExpiredError(ConflictError):
    code = "expired"
    http_status = 410


class AwaitingApprovalError(ConflictError):
    """An approved action about to run that policy now sends for more approval than its
    votes meet: it did not run, and waits for approval again (`approval_id`)."""

    code = "awaiting_approval"
    http_status = 409

    def __init__(self, message: str, approval_id: str) -> None:
        super().__init__(message)
        self.approval_id = approval_id


class InvalidRequestError(PhigateError):
    code = "invalid_request"
    http_status = 400


class RequestTooLargeError(PhigateError):
    code = "request_too_large"
    http_status = 413


class ResultTooLargeError(PhigateError):
    """The request was fine; its answer is more than one request may take."""

    code = "result_too_large"
    http_status = 422
    sqlstate = "54000"  # program_limit_exceeded


class AuditUnavailableError(PhigateError):
    code = "audit_unavailable"
    http_status = 503


class OutcomeUnrecordedError(AuditUnavailableError):
    """The action was handed to the upstream (it ran, or whether it did is unknown)
    and then its outcome could not be recorded. Never answered "not run": a caller
    told so asks again, and a write is made twice."""

    code = "outcome_unrecorded"


class MaskingFailedError(PhigateError):
    code = "masking_failed"
    http_status = 500


class UpstreamError(PhigateError):
    code = "upstream_error"
    http_status = 502


class UpstreamBusyError(UpstreamError):
    code = "upstream_busy"
    http_status = 503


class PrincipalBusyError(UpstreamBusyError):
    code = "too_many_connections"
    http_status = 429
