"""Events contingent publishes. The publisher owns these contracts; consumers read only
the fields they need with tolerant models, and a contract test keeps them in step."""
