"""The domain every part shares: what an action is (`actions`), where it stands
(`action_store`), how risky it is (`risk`), the exception tree (`errors`), result
budgets (`limits`) and the counters (`metrics`). Import-free: import from the
module that owns a name."""
