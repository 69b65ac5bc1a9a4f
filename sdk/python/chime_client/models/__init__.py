"""Contains all the data models used in inputs/outputs"""

from .api_key import ApiKey
from .api_key_create import ApiKeyCreate
from .api_key_create_role import ApiKeyCreateRole
from .api_key_created import ApiKeyCreated
from .api_key_created_role import ApiKeyCreatedRole
from .api_key_role import ApiKeyRole
from .cancel_count import CancelCount
from .cron_preview import CronPreview
from .cron_preview_request import CronPreviewRequest
from .delivery_attempt import DeliveryAttempt
from .delivery_attempt_list import DeliveryAttemptList
from .delivery_attempt_outcome import DeliveryAttemptOutcome
from .error import Error
from .error_error import ErrorError
from .event import Event
from .event_cancelled import EventCancelled
from .event_cancelled_status import EventCancelledStatus
from .event_create import EventCreate
from .event_create_payload import EventCreatePayload
from .event_page import EventPage
from .event_payload import EventPayload
from .event_status import EventStatus
from .group_cancel import GroupCancel
from .health import Health
from .health_status import HealthStatus
from .list_api_keys_response_200 import ListApiKeysResponse200
from .list_dead_letters_channel import ListDeadLettersChannel
from .list_events_status import ListEventsStatus
from .list_notifications_channel import ListNotificationsChannel
from .list_notifications_status import ListNotificationsStatus
from .list_users_response_200 import ListUsersResponse200
from .login_request import LoginRequest
from .login_response import LoginResponse
from .not_ready import NotReady
from .notification import Notification
from .notification_channel import NotificationChannel
from .notification_create import NotificationCreate
from .notification_create_channel import NotificationCreateChannel
from .notification_create_data_type_0 import NotificationCreateDataType0
from .notification_data import NotificationData
from .notification_page import NotificationPage
from .notification_patch import NotificationPatch
from .notification_patch_data_type_0 import NotificationPatchDataType0
from .notification_status import NotificationStatus
from .openapi_response_200 import OpenapiResponse200
from .readiness import Readiness
from .readiness_postgres import ReadinessPostgres
from .readiness_redis import ReadinessRedis
from .register_request import RegisterRequest
from .registered import Registered
from .registered_tenant import RegisteredTenant
from .rule import Rule
from .rule_channel import RuleChannel
from .rule_input import RuleInput
from .rule_input_channel import RuleInputChannel
from .rule_list import RuleList
from .series import Series
from .series_status import SeriesStatus
from .tenant import Tenant
from .user import User
from .user_create import UserCreate
from .user_create_role import UserCreateRole
from .user_patch import UserPatch
from .user_patch_role import UserPatchRole
from .user_role import UserRole

__all__ = (
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyCreateRole",
    "ApiKeyCreated",
    "ApiKeyCreatedRole",
    "ApiKeyRole",
    "CancelCount",
    "CronPreview",
    "CronPreviewRequest",
    "DeliveryAttempt",
    "DeliveryAttemptList",
    "DeliveryAttemptOutcome",
    "Error",
    "ErrorError",
    "Event",
    "EventCancelled",
    "EventCancelledStatus",
    "EventCreate",
    "EventCreatePayload",
    "EventPage",
    "EventPayload",
    "EventStatus",
    "GroupCancel",
    "Health",
    "HealthStatus",
    "ListApiKeysResponse200",
    "ListDeadLettersChannel",
    "ListEventsStatus",
    "ListNotificationsChannel",
    "ListNotificationsStatus",
    "ListUsersResponse200",
    "LoginRequest",
    "LoginResponse",
    "NotReady",
    "Notification",
    "NotificationChannel",
    "NotificationCreate",
    "NotificationCreateChannel",
    "NotificationCreateDataType0",
    "NotificationData",
    "NotificationPage",
    "NotificationPatch",
    "NotificationPatchDataType0",
    "NotificationStatus",
    "OpenapiResponse200",
    "Readiness",
    "ReadinessPostgres",
    "ReadinessRedis",
    "RegisterRequest",
    "Registered",
    "RegisteredTenant",
    "Rule",
    "RuleChannel",
    "RuleInput",
    "RuleInputChannel",
    "RuleList",
    "Series",
    "SeriesStatus",
    "Tenant",
    "User",
    "UserCreate",
    "UserCreateRole",
    "UserPatch",
    "UserPatchRole",
    "UserRole",
)
