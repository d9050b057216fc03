"""What the DAGs need that is not a pipeline step: run windows, callbacks, the portal-silence
alert, reprocess selection, and starting a local Airflow (embedded or with components).

Imported by ``dags/``, ``gongkai/commands/airflow.py``, the demo and tests. Nothing here imports
Airflow at module level (importing Airflow configures it from the environment)."""
