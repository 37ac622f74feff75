"""The one column vocabulary of reconnect_lib.

Every stage, schema, export and chart names columns through these constants, so
a column is spelled once. Raw inputs are renamed to this vocabulary on load
(see :mod:`reconnect_lib.column_maps`); everything downstream sees only these
names.
"""

from __future__ import annotations

from typing import Final, Literal

# --- clients table (one row per client, as the business exports it) -------------
CLIENT_ID: Final = "client_id"
NAME: Final = "name"
COMPANY: Final = "company"
EMAIL: Final = "email"
PHONE: Final = "phone"
ADDRESS_LINE1: Final = "address_line1"
ADDRESS_LINE2: Final = "address_line2"
CITY: Final = "city"
REGION: Final = "region"
POSTCODE: Final = "postcode"
COUNTRY: Final = "country"
ACCOUNT_OWNER: Final = "account_owner"
CLIENT_SINCE: Final = "client_since"
DO_NOT_CONTACT: Final = "do_not_contact"

# Summary columns a client list may already carry (input shape "a").
LAST_CONTACT: Final = "last_contact"
LAST_PURCHASE: Final = "last_purchase"
TOTAL_REVENUE: Final = "total_revenue"

CLIENT_TEXT_COLUMNS: Final = (
    NAME,
    COMPANY,
    EMAIL,
    PHONE,
    ADDRESS_LINE1,
    ADDRESS_LINE2,
    CITY,
    REGION,
    POSTCODE,
    COUNTRY,
    ACCOUNT_OWNER,
)
CLIENT_DATE_COLUMNS: Final = (CLIENT_SINCE, LAST_CONTACT, LAST_PURCHASE)

# --- histories (input shape "b") -------------------------------------------------
DATE: Final = "date"  # the day a transaction or contact happened
AMOUNT: Final = "amount"  # money, refunds negative
INVOICE_ID: Final = "invoice_id"
CHANNEL: Final = "channel"

# --- client base (output of reconnect_lib.client_base) ---------------------------
FIRST_PURCHASE: Final = "first_purchase"
FIRST_ACTIVITY: Final = "first_activity"
LAST_ACTIVITY: Final = "last_activity"
N_PURCHASES: Final = "n_purchases"  # distinct days with a positive amount
YEARLY_REVENUE: Final = "yearly_revenue"
TENURE_DAYS: Final = "tenure_days"
DAYS_SINCE_CONTACT: Final = "days_since_contact"
DAYS_SINCE_PURCHASE: Final = "days_since_purchase"
DAYS_DORMANT: Final = "days_dormant"
DORMANT_SINCE: Final = "dormant_since"

# --- dormancy (output of reconnect_lib.dormancy) ---------------------------------
DORMANCY_BUCKET: Final = "dormancy_bucket"
BUCKET_ORDER: Final = "bucket_order"  # 0 = most recent bucket
DUE: Final = "due"  # due for contact: dormant past the due threshold
CROSSES_ON: Final = "crosses_on"  # date a not-yet-due client becomes due
WEEKS_UNTIL_DUE: Final = "weeks_until_due"
# bucket_table: one row per bucket
CLIENTS: Final = "clients"  # number of clients in the bucket
SHARE_OF_REVENUE: Final = "share_of_revenue"  # of all clients' total revenue

# --- value (output of reconnect_lib.value) ---------------------------------------
R_SCORE: Final = "r_score"
F_SCORE: Final = "f_score"
M_SCORE: Final = "m_score"
RFM_SEGMENT: Final = "rfm_segment"
VALUE_AT_STAKE: Final = "value_at_stake"
WIN_BACK_CHANCE: Final = "win_back_chance"
EXPECTED_VALUE: Final = "expected_value"
VALUE_SCORE: Final = "value_score"
BUCKET_RANK: Final = "bucket_rank"  # 1 = most valuable within its bucket
PRIORITY_RANK: Final = "priority_rank"  # 1 = most valuable overall
# win_back_chance: one row per bucket (Beta prior updated by observed outcomes)
PRIOR_MEAN: Final = "prior_mean"
ALPHA: Final = "alpha"
BETA: Final = "beta"
CONTACTED: Final = "contacted"  # clients contacted (observed)
WON_BACK: Final = "won_back"  # of which won back (observed)

# --- outcomes and plans (used by later stages; defined here so names never drift) -
WEEK: Final = "week"  # ISO week, e.g. "2026-W48"
CAMPAIGN: Final = "campaign"
KIND: Final = "kind"
REASON: Final = "reason"
NOTE: Final = "note"
RECORDED_BY: Final = "recorded_by"
EVENT_ID: Final = "event_id"

Channel = Literal["letter", "phone", "email", "visit", "gift", "other"]
CHANNELS: Final[tuple[str, ...]] = ("letter", "phone", "email", "visit", "gift", "other")

EventKind = Literal[
    "contacted",
    "no_answer",
    "replied",
    "renewed",
    "moved_on",
    "change_of_circumstances",
    "problem_raised",
    "problem_fixed",
    "declined",
    "do_not_contact",
]
EVENT_KINDS: Final[tuple[str, ...]] = (
    "contacted",
    "no_answer",
    "replied",
    "renewed",
    "moved_on",
    "change_of_circumstances",
    "problem_raised",
    "problem_fixed",
    "declined",
    "do_not_contact",
)

Reason = Literal[
    "fixable_problem",
    "competitor",
    "money",
    "invoicing_mistakes",
    "owner_not_involved",
    "moved",
    "circumstances",
    "other",
]
REASONS: Final[tuple[str, ...]] = (
    "fixable_problem",
    "competitor",
    "money",
    "invoicing_mistakes",
    "owner_not_involved",
    "moved",
    "circumstances",
    "other",
)

# --- derived client status (outcomes → plan) and the plan itself ------------------
STATUS: Final = "status"  # a client's current status, derived from the outcome log
LAST_LOGGED_CONTACT: Final = "last_logged_contact"  # latest contact recorded in the outcome log
WON_BACK_FLAG: Final = "is_won_back"  # per client: won back (logged or seen in purchases)
OPEN_PROBLEM: Final = "open_problem"  # a problem raised and not yet fixed
HOLDOUT: Final = "holdout"  # set aside, not contacted, to measure lift
WEEK_START: Final = "week_start"  # Monday of the ISO week
ACTION: Final = "action"  # letter, follow_up_call, gift, call, email
PLANNED_ON: Final = "planned_on"  # the day an action is planned for
