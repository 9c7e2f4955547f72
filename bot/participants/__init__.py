"""The participant store: who registered for the CMC, and the audit of status checks."""
