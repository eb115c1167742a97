"""The HA rules, one pure function per module: ``evaluate(facts) -> Verdict``. The pack owns their metadata."""
