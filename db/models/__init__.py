"""Every ORM model, imported once so `Base.metadata` is complete (Alembic and tests rely on it)."""

from db.models.browser import BrowserSession, ExecutionLog, SystemStat, TestFlow, TestSession
from db.models.evaluation import Arm, Evaluation, EvaluationCounter, Playground, Question
from db.models.experiments import Experiment, StageRun, Suggestion, Variant, VariantMetric
from db.models.solves import AIModel, Solve, SolveRun
from db.models.statistics import ArmRanking, ArmValue, StatisticsRun
from db.models.timeline import FeedbackItem, TimelineEvent
from db.models.users import AuditLog, User

__all__ = [
    "AIModel", "Arm", "ArmRanking", "ArmValue", "AuditLog", "BrowserSession", "Evaluation", "EvaluationCounter", "ExecutionLog",
    "Experiment", "FeedbackItem", "Playground", "Question", "Solve", "SolveRun", "StageRun", "StatisticsRun", "Suggestion",
    "SystemStat", "TestFlow", "TestSession", "TimelineEvent", "User", "Variant", "VariantMetric",
]
