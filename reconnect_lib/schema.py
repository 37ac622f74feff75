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

#: The pandas dtype of every column an input table can have once loaded (what
#: :mod:`reconnect_lib.load` gives and :mod:`reconnect_lib.engines` documents).
INPUT_DTYPES: Final[dict[str, str]] = {
    **{c: "string" for c in (CLIENT_ID, INVOICE_ID, *CLIENT_TEXT_COLUMNS, CHANNEL)},
    **{c: "datetime64[ns]" for c in (*CLIENT_DATE_COLUMNS, DATE)},
    **{c: "float64" for c in (AMOUNT, TOTAL_REVENUE)},
    DO_NOT_CONTACT: "bool",
}

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
DUE_CONTACTABLE: Final = "due_contactable"  # due, and neither do-not-contact nor lost
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
#: The columns of one outcome event as staff record it, in order: the outcome
#: log's files and the sample's outcomes.csv. The store adds the columns of
#: :data:`reconnect_lib.outcomes.EVENT_COLUMNS` that it keeps for itself.
EVENT_RECORD_COLUMNS: Final[tuple[str, ...]] = (
    EVENT_ID,
    CLIENT_ID,
    DATE,
    CAMPAIGN,
    CHANNEL,
    KIND,
    AMOUNT,
    REASON,
    NOTE,
    RECORDED_BY,
)

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
    "referral",
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
    # A past client introduced someone: the event's client_id is the client who referred,
    # `note` names the person introduced, `amount` is their first purchase, and
    # REFERRED_CLIENT_ID is the new client's id once they are in the client list.
    "referral",
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
CONTACTABLE: Final = "contactable"  # may be contacted now: not do-not-contact, not lost (from the log)
WON_BACK_FLAG: Final = "is_won_back"  # per client: won back (logged or seen in purchases)
OPEN_PROBLEM: Final = "open_problem"  # a problem raised and not yet fixed
HOLDOUT: Final = "holdout"  # set aside, not contacted, to measure lift
WEEK_START: Final = "week_start"  # Monday of the ISO week
ACTION: Final = "action"  # letter, follow_up_call, gift, call, email
PLANNED_ON: Final = "planned_on"  # the day an action is planned for
#: One row per client in the outcome log: what :func:`reconnect_lib.metrics.client_status`
#: gives and :func:`reconnect_lib.plan.contact_plan` reads.
CLIENT_STATUS_COLUMNS: Final[tuple[str, ...]] = (
    CLIENT_ID,
    STATUS,
    LAST_LOGGED_CONTACT,
    WON_BACK_FLAG,
    OPEN_PROBLEM,
    DO_NOT_CONTACT,
)

# --- outcome log (reconnect_lib.outcomes) -------------------------------------------
SUPERSEDES: Final = "supersedes"  # the event_id a correction replaces
SOURCE: Final = "source"  # where an event came from: "python", "cli", "import:<file> row <n>"
RECORDED_AT: Final = "recorded_at"  # when the store received it (set by the database)
#: Of a ``referral`` event: the client id of the person introduced, once in the client list.
REFERRED_CLIENT_ID: Final = "referred_client_id"
#: Kind of an event that withdraws the event it supersedes, replacing it with nothing
#: (an event recorded for the wrong client). Not a thing that happened to a client,
#: so it is not one of EVENT_KINDS.
RETRACTED: Final = "retracted"
#: Kinds that show the client was reached (a ``no_answer`` is an attempt, not a contact).
#: A ``referral`` is not a contact either: it is what a client did, not something the
#: campaign did (it may come unprompted, from a client nobody wrote to), so it neither
#: starts a client's attribution window nor counts as contacting them (nor resets their
#: dormancy, nor costs a letter or a call).
CONTACT_KINDS: Final[tuple[str, ...]] = tuple(k for k in EVENT_KINDS if k not in ("no_answer", "referral"))
#: Kinds that show the client answered, whatever the answer. A ``referral`` is one: the
#: client answered generously, so a contacted client who referred someone has replied
#: (the funnel's "replied", status ``replied`` unless a stronger one applies).
RESPONSE_KINDS: Final[tuple[str, ...]] = tuple(k for k in EVENT_KINDS if k not in ("contacted", "no_answer"))
#: Kinds that record a client introducing someone (see :data:`REFERRED_CLIENT_ID`).
REFERRAL_KINDS: Final[tuple[str, ...]] = ("referral",)
#: Kinds that close a client as lost to this campaign.
LOST_KINDS: Final[tuple[str, ...]] = ("moved_on", "change_of_circumstances", "declined")

# --- derived client status: the values of STATUS, highest precedence first ----------
Status = Literal["do_not_contact", "won_back", "problem_open", "lost", "replied", "contacted"]
STATUSES: Final[tuple[str, ...]] = (
    "do_not_contact",
    "won_back",
    "problem_open",
    "lost",
    "replied",
    "contacted",
)

# --- win-back metrics (reconnect_lib.metrics) ----------------------------------------
FIRST_CONTACT: Final = "first_contact"  # day a client was first reached
WON_BACK_ON: Final = "won_back_on"  # day a client was won back (logged renewal or attributed purchase)
WON_BY: Final = "won_by"  # "logged" (a renewed event) or "purchase" (seen only in the transactions)
DAYS_FOLLOWED: Final = "days_followed"  # first contact to win-back, or to as_of when not (yet) won
RATE: Final = "win_back_rate"
RATE_LOW: Final = "rate_low"  # lower end of the rate's interval (Wilson)
RATE_HIGH: Final = "rate_high"
REVENUE_RECOVERED: Final = "revenue_recovered"
REVENUE_PER_CONTACTED: Final = "revenue_per_contacted"
SHARE: Final = "share"
STAGE: Final = "stage"  # funnel stage
SHARE_OF_PREVIOUS: Final = "share_of_previous"
#: A funnel stage (metrics.funnel's ``stage``) as a reader is shown it: "replied" means any answer.
FUNNEL_STAGES: Final[dict[str, str]] = {
    "planned": "planned",
    "contacted": "contacted",
    "replied": "answered (any reply)",
    "won back": "won back",
}
DAYS: Final = "days"  # days since first contact (time to win-back)
SHARE_WON_BACK: Final = "share_won_back"  # Kaplan–Meier share won back by `days`
SHARE_LOW: Final = "share_low"
SHARE_HIGH: Final = "share_high"
AT_RISK: Final = "at_risk"  # clients still followed (not won back, not censored) at `days`
HOLDOUT_CLIENTS: Final = "holdout_clients"  # hold-out clients measured (not contacted on purpose)
HOLDOUT_WON_BACK: Final = "holdout_won_back"  # of which came back on their own
HOLDOUT_RATE: Final = "holdout_rate"
LIFT: Final = "lift"  # contacted rate minus hold-out rate
LIFT_LOW: Final = "lift_low"  # interval of the difference (Newcombe)
LIFT_HIGH: Final = "lift_high"

# --- the campaign's cost and return (reconnect_lib.metrics.returns) -----------------------
REFERRED_BY: Final = "referred_by"  # the client who introduced a referred client
LINKED_BY: Final = "linked_by"  # how a referral found its client: "id" (referred_client_id) or "name"
REFERRAL_REVENUE: Final = "referral_revenue"  # what referred clients bought within the referral window
ACTIONS: Final = "actions"  # actions that cost money: letters sent, calls made (answered or not), ...
COST: Final = "cost"  # in the campaign's currency
RETURN: Final = "return"  # revenue recovered plus referral revenue
RETURN_PER_COST: Final = "return_per_cost"  # return per unit of cost: 1 = paid for itself
RETURN_LOW: Final = "return_per_cost_low"  # its interval (bootstrap over clients)
RETURN_HIGH: Final = "return_per_cost_high"
REVENUE_PER_CONTACTED_LOW: Final = "revenue_per_contacted_low"
REVENUE_PER_CONTACTED_HIGH: Final = "revenue_per_contacted_high"
CUMULATIVE_COST: Final = "cumulative_cost"
CUMULATIVE_RETURN: Final = "cumulative_return"
HOLDOUT_REVENUE: Final = "holdout_revenue_per_client"  # hold-out clients' purchases in the window, per client
TREATED_REVENUE: Final = "contacted_revenue_per_client"  # the same purchase rule for contacted clients
INCREMENTAL_RETURN: Final = "incremental_return"  # (contacted - hold-out) per client x contacted clients

# --- contact plan (reconnect_lib.plan) and its exports (reconnect_lib.exports) --------
PLAN_ORDER: Final = "plan_order"  # a client's place in the campaign's contact queue, 1 = first
WEEK_ORDER: Final = "week_order"  # place of an action among the week's actions of its kind, 1 = first
MODE: Final = "mode"  # "catch_up" (due now) or "keep_up" (contacted before crossing the due mark)
CONTACT_ON: Final = "contact_on"  # day of the client's first contact (letter, email or call) in the plan
FOLLOW_UP_ON: Final = "follow_up_on"  # day of the follow-up call the letter promises
GIFT_ON: Final = "gift_on"  # day the promised gift goes out

# --- report figures: the tables behind the weekly report's charts --------------------
MEASURE: Final = "measure"  # the column a value table measures, e.g. "value_at_stake"
VALUE: Final = "value"  # a client's value of `measure`, or its sum over a bin's clients
DAYS_BIN: Final = "days_bin"  # label of a days-dormant bin, e.g. "183–273"
DAYS_LOW: Final = "days_low"  # a bin's lowest day (included)
DAYS_HIGH: Final = "days_high"  # a bin's end (excluded); null when open-ended
VALUE_BIN: Final = "value_bin"  # label of a value bin, e.g. "1k–2k"
VALUE_LOW: Final = "value_low"  # a bin's lowest value (included)
VALUE_HIGH: Final = "value_high"  # a bin's end (excluded); NaN when open-ended
CLIENT_SHARE: Final = "client_share"  # the top share of clients, 0 to 1 (concentration curve)
CUMULATIVE_SHARE: Final = "cumulative_share"  # the share of the total those clients hold
ACTUAL_LEFT: Final = "actual_left"  # burn-down: due clients still to contact, as logged
PLANNED_LEFT: Final = "planned_left"  # ... at the plan's weekly capacity from the start
FORECAST_LEFT: Final = "forecast_left"  # ... as the current plan schedules them
FORECAST_END: Final = "forecast_end"  # the week the current plan finishes the catch-up
CURRENT_WEEK: Final = "current_week"  # the week of as_of
CROSSING: Final = "crossing"  # clients becoming due (crossing the due mark) in the week
CROSSING_LEFT_OUT: Final = "crossing_left_out"  # of those, left out of the plan on purpose
KEEP_UP_CONTACTS: Final = "keep_up_contacts"  # keep-up first contacts planned in the week
LATE: Final = "late"  # clients crossing in the week with no contact planned before they do
GROUP: Final = "group"  # a row label: "contacted", "hold-out", ...
