"""Camunda 7 REST subset under /engine-rest (placeholder until its owner lands it)."""

from flask import Blueprint

blueprint = Blueprint("engine_rest", __name__, url_prefix="/engine-rest")
