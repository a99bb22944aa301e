"""The /api/v1 blueprints, one per area, registered by create_app through flask-smorest."""

from api.v1 import definitions, files, incidents, instances, jobs, tasks, users

BLUEPRINTS = [definitions.blp, instances.blp, tasks.blp, incidents.blp, jobs.blp, users.blp,
              files.blp]

__all__ = ["BLUEPRINTS"]
