"""What the DAGs and `gongkai run` need that is not a pipeline step: the run rules (``rules``),
the task bodies (``tasks``), run windows, callbacks and alerts, the portal-silence check, the shared
names (``resources``) and starting a local Airflow (embedded or with components).
Imported by ``dags/``, ``gongkai/pipeline.py``, ``gongkai/commands``, the demo and tests. Only
``assets`` and ``groups`` import Airflow at module level (for ``dags/``): importing Airflow
configures it from the environment."""
