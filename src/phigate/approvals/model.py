"""The approval record, its states, and who may vote on it (pure rules).

pending ──► approved ──► executed   (once)
   │   ◄────────┤    (reopen: policy at run time needs more votes than it has)
   │            └──► expired            (not run before its expiry)
   ├──────► denied
   ├──────► expired
   └──────► cancelled
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from phigate.core import clock
from phigate.identity.principal import Principal
from phigate.identity.subjects import drawn_alike, same_subject

BREAK_GLASS_REVIEW = "break_glass_review"

# A subject's person under today's `identity.aliases` (identity/people.py `People.of`).
PersonOf = Callable[[str], str]


class ApprovalState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    EXECUTED = "executed"


class Ballot(enum.StrEnum):
    """What one reviewer casts; stored as these strings in `approval_votes.vote`."""

    APPROVE = "approve"
    DENY = "deny"


@dataclass(frozen=True)
class Vote:
    voter: str
    vote: Ballot
    comment: str
    channel: str
    created_at: float
    # The voter's groups among the request's eligible ones when they voted: which
    # requirements the vote counts toward. None for votes recorded before 0012.
    groups: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Requirement:
    """One matching approval rule's need: `count` distinct approvers from `groups`."""

    count: int
    groups: tuple[str, ...]
    # The rules asking for it (several when two rules ask the same); empty for requests
    # made before they were recorded, whose one rule is the action's `rule`.
    rules: tuple[str, ...] = ()

    def counted(self, votes: tuple[Vote, ...], *, only: bool) -> int:
        """Distinct approvers who count toward this requirement. `only`: the request's
        sole requirement, which every eligible approver counts toward (votes from before
        0012 name no groups)."""
        wanted = set(self.groups)
        return len(
            {
                v.voter
                for v in votes
                if v.vote is Ballot.APPROVE
                and (only if v.groups is None else not wanted.isdisjoint(v.groups))
            }
        )

    def describe(self, have: int) -> str:
        return f"{have} of {self.count} from {', '.join(self.groups)}"


@dataclass(frozen=True)
class Approval:
    id: str
    action_id: str
    state: ApprovalState
    required: int
    eligible_groups: tuple[str, ...]
    requester: str
    on_behalf_of: str | None
    created_at: float
    expires_at: float
    decided_at: float | None
    votes: tuple[Vote, ...] = ()
    purpose: str = "approval"  # or "break_glass_review": judged after the action ran
    requester_disconnected_at: float | None = None
    # The requester's principal kind (from the action): ownership compares kind as well
    # as subject. None when unknown, which owns nothing.
    requester_kind: str | None = None
    # Every matching approval rule's requirement (0012), each naming its rules; empty:
    # one, `required` from `eligible_groups` (requests made before, and any made
    # without rule names).
    requirements: tuple[Requirement, ...] = ()
    # How many times its state changed (decided, sent back, run): only grows, like
    # `votes`; with them it says which change of the approval a chat message shows.
    version: int = 0
    # Who each subject is now (today's aliases), for counting votes per person; None
    # maps every subject to itself. Set where approvals are loaded.
    person_of: PersonOf | None = field(default=None, repr=False, compare=False)
    # Whom the acted-for subject itself acts for, and so on (an agent acting for an
    # agent, which token creation and sign-in refuse but a race could still record):
    # every person in the chain is barred like `on_behalf_of`. Set where loaded.
    behind: tuple[str, ...] = field(default=(), compare=False)

    @property
    def barred(self) -> tuple[str, ...]:
        """Everyone whose vote never counts on this request: the requester, the one an
        agent acts for, and everyone behind that one (`behind`)."""
        named = (self.requester, self.on_behalf_of, *self.behind)
        return tuple(subject for subject in named if subject is not None)

    def is_requested_by(self, principal: Principal) -> bool:
        """Whether `principal` is this request's requester (same subject and kind)."""
        return self.requester_kind == principal.kind.value and same_subject(
            self.requester, principal.subject
        )

    @property
    def is_review(self) -> bool:
        return self.purpose == BREAK_GLASS_REVIEW

    def is_expired(self, now: float | None = None) -> bool:
        # By default judged early by the shared clock's uncertainty (core/clock.py `latest`).
        return (now if now is not None else clock.latest()) >= self.expires_at

    @property
    def approvals_so_far(self) -> int:
        """Approvers counted so far, one per person as mapped now (`counting`)."""
        return sum(1 for v in self.counting if v.vote is Ballot.APPROVE)

    @property
    def needs(self) -> tuple[Requirement, ...]:
        """What must be met before the action runs: each requirement, every one."""
        return self.requirements or (Requirement(self.required, self.eligible_groups),)

    def rules(self, deciding: str | None) -> tuple[str, ...]:
        """Every rule whose reviewers this request waits for, `deciding` (the action's
        `rule`) first: each one's channels are told, not only the deciding rule's."""
        named = [deciding, *(rule for need in self.needs for rule in need.rules)]
        return tuple(dict.fromkeys(rule for rule in named if rule))

    @property
    def counting(self) -> tuple[Vote, ...]:
        """The votes that count now (`counting_votes`): what every count is made of."""
        return counting_votes(self, self.person_of or _itself)

    def progress(self) -> list[tuple[Requirement, int]]:
        """Each requirement with the approvers counted toward it so far."""
        only = len(self.needs) == 1
        counting = self.counting
        return [(need, need.counted(counting, only=only)) for need in self.needs]

    @property
    def is_met(self) -> bool:
        return all(have >= need.count for need, have in self.progress())

    @property
    def votes_text(self) -> str:
        """What reviewers read: `1 of 1 from data-owners; 0 of 1 from billing-security`."""
        return "; ".join(need.describe(have) for need, have in self.progress())

    @property
    def still_needed(self) -> str:
        """What is still missing, for reviewers and waiting requesters ("" when met)."""
        missing = [
            f"{need.count - have} more from {', '.join(need.groups)}"
            for need, have in self.progress()
            if have < need.count
        ]
        return "; ".join(missing)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "action_id": self.action_id,
            "state": self.state.value,
            "required": self.required,
            "eligible_groups": list(self.eligible_groups),
            "requirements": [
                {"count": need.count, "groups": list(need.groups), "approvals": have}
                for need, have in self.progress()
            ],
            "still_needed": self.still_needed,
            "requester": self.requester,
            "on_behalf_of": self.on_behalf_of,
            "behind": list(self.behind),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "decided_at": self.decided_at,
            "purpose": self.purpose,
            "requester_disconnected_at": self.requester_disconnected_at,
            "votes": [
                {
                    "voter": v.voter,
                    "vote": v.vote,
                    "comment": v.comment,
                    "channel": v.channel,
                    "at": v.created_at,
                }
                for v in self.votes
            ],
        }


def counting_votes(approval: Approval, person_of: PersonOf) -> tuple[Vote, ...]:
    """The votes cast for `approval` that count now, the one answer every count uses
    (a vote being recorded, the run-time recheck, reviewer views, chat progress).

    Each vote is taken as its voter's person through `person_of` (today's aliases: an
    alias declared after the vote makes its voter the person named now). A person's
    votes count once, the earliest: two accounts of one person (an alias, or two names
    drawn alike, `subjects.drawn_alike`) are one approver. The requester's and the
    acted-for person's votes do not count (separation of duties, as mapped now). Which
    requirements a counted vote serves is still its own groups (`Requirement.counted`).
    A voter's kind needs no second look: a subject holds tokens of one kind only."""
    barred = [person_of(s) for s in approval.barred]
    counted: list[Vote] = []
    people: list[str] = []
    for vote in approval.votes:  # in the order recorded
        person = person_of(vote.voter)
        if any(_one_name(person, other) for other in [*barred, *people]):
            continue
        counted.append(replace(vote, voter=person))
        people.append(person)
    return tuple(counted)


def _one_name(subject: str, other: str) -> bool:
    """Whether two subjects are one person's name for separation of duties: the same
    normal subject, or two drawn the same."""
    return same_subject(subject, other) or drawn_alike(subject, other)


def _itself(subject: str) -> str:
    return subject


def under(approval: Approval, needs: tuple[Requirement, ...]) -> Approval:
    """`approval` judged by `needs` (the requirements in force now), its votes counted
    as `counting_votes` counts them now: what `is_met` and `still_needed` say at run
    time.

    A vote counts toward a requirement only through the groups it was cast under (the
    voter's groups among the request's eligible ones then): a rule added since, naming
    other groups, gets no vote it was not given. A vote from before 0012 names no
    groups: it is taken as cast under the request's one eligible group, if it had just
    one, and counts toward nothing otherwise (its voter's groups are unknown)."""
    legacy = approval.eligible_groups if len(approval.eligible_groups) == 1 else ()
    votes = approval.votes
    cast = tuple(v if v.groups is not None else replace(v, groups=legacy) for v in votes)
    return replace(approval, requirements=needs, votes=cast)


def ineligibility(approval: Approval, voter: Principal) -> str | None:
    """Why `voter` may not vote on `approval`, or None when they may."""
    if not voter.is_human:
        return f"{voter.kind} principals cannot approve; only humans can"
    # Stored names read as their people now (an alias declared since the request or a
    # vote), as `counting_votes` reads them.
    person = approval.person_of or _itself
    if same_subject(voter.subject, person(approval.requester)):
        return "the requester cannot approve their own request"
    if approval.on_behalf_of and same_subject(voter.subject, person(approval.on_behalf_of)):
        return "the person the agent acts for cannot approve the agent's request"
    if any(same_subject(voter.subject, person(s)) for s in approval.behind):
        return "the agent acts for an agent that acts for you: you cannot approve its request"
    if not voter.in_any(frozenset(approval.eligible_groups)):
        groups = ", ".join(approval.eligible_groups)
        return f"only members of {groups} can decide this request"
    if any(same_subject(person(v.voter), voter.subject) for v in approval.votes):
        return "you have already voted on this request"
    return _drawn_as_another(approval, voter.subject)


def _drawn_as_another(approval: Approval, subject: str) -> str | None:
    """Why a voter whose name is drawn as the requester's, the person acted for's or
    an earlier voter's may not vote (`田中力ナ` on a request by `田中カナ`): two accounts
    that read as one name are taken for one person, so neither approves their own
    request nor votes twice. None when the name is drawn as none of them."""
    if drawn_alike(subject, approval.requester):
        return "your name reads as the requester's name: you cannot approve this request"
    if drawn_alike(subject, approval.on_behalf_of):
        return (
            "your name reads as the name of the person the agent acts for: "
            "you cannot approve the agent's request"
        )
    if any(drawn_alike(subject, other) for other in approval.behind):
        return "your name reads as the name of a person the agent acts for"
    if any(drawn_alike(v.voter, subject) for v in approval.votes):
        return "your name reads as the name of an earlier voter: one person votes once"
    return None
