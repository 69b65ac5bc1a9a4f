"""Contains all the data models used in inputs/outputs"""

from .api_key import ApiKey
from .api_key_create import ApiKeyCreate
from .api_key_create_role import ApiKeyCreateRole
from .api_key_created import ApiKeyCreated
from .api_key_created_role import ApiKeyCreatedRole
from .api_key_role import ApiKeyRole
from .bulk_request import BulkRequest
from .bulk_request_channel import BulkRequestChannel
from .cancel_count import CancelCount
from .cancel_matching_response_200 import CancelMatchingResponse200
from .cancel_matching_response_200_skipped_item import (
    CancelMatchingResponse200SkippedItem,
)
from .cron_preview import CronPreview
from .cron_preview_request import CronPreviewRequest
from .delivery_attempt import DeliveryAttempt
from .delivery_attempt_list import DeliveryAttemptList
from .delivery_attempt_outcome import DeliveryAttemptOutcome
from .digest_input import DigestInput
from .error import Error
from .error_error import ErrorError
from .error_error_items_item import ErrorErrorItemsItem
from .event import Event
from .event_batch import EventBatch
from .event_batch_result import EventBatchResult
from .event_batch_result_items_item import EventBatchResultItemsItem
from .event_cancelled import EventCancelled
from .event_cancelled_status import EventCancelledStatus
from .event_create import EventCreate
from .event_create_payload import EventCreatePayload
from .event_page import EventPage
from .event_payload import EventPayload
from .event_status import EventStatus
from .get_me_response_200 import GetMeResponse200
from .get_me_response_200_role import GetMeResponse200Role
from .get_me_response_200_tenant import GetMeResponse200Tenant
from .get_timeline_response_200 import GetTimelineResponse200
from .get_timeline_response_200_created_by import GetTimelineResponse200CreatedBy
from .get_timeline_response_200_items_item import GetTimelineResponse200ItemsItem
from .get_timeline_response_200_items_item_by import GetTimelineResponse200ItemsItemBy
from .get_timeline_response_200_items_item_kind import (
    GetTimelineResponse200ItemsItemKind,
)
from .get_timeline_response_200_rendered import GetTimelineResponse200Rendered
from .group_cancel import GroupCancel
from .health import Health
from .health_status import HealthStatus
from .list_api_keys_response_200 import ListApiKeysResponse200
from .list_dead_letters_channel import ListDeadLettersChannel
from .list_dead_letters_sort import ListDeadLettersSort
from .list_events_status import ListEventsStatus
from .list_notifications_channel import ListNotificationsChannel
from .list_notifications_sort import ListNotificationsSort
from .list_notifications_status import ListNotificationsStatus
from .list_series_response_200 import ListSeriesResponse200
from .list_series_response_200_items_item import ListSeriesResponse200ItemsItem
from .list_series_response_200_items_item_pending_occurrence_type_0 import (
    ListSeriesResponse200ItemsItemPendingOccurrenceType0,
)
from .list_series_status import ListSeriesStatus
from .list_users_response_200 import ListUsersResponse200
from .login_request import LoginRequest
from .login_response import LoginResponse
from .not_ready import NotReady
from .notification import Notification
from .notification_batch import NotificationBatch
from .notification_batch_result import NotificationBatchResult
from .notification_batch_result_items_item import NotificationBatchResultItemsItem
from .notification_channel import NotificationChannel
from .notification_create import NotificationCreate
from .notification_create_channel import NotificationCreateChannel
from .notification_create_channels_type_0_item import (
    NotificationCreateChannelsType0Item,
)
from .notification_create_data_type_0 import NotificationCreateDataType0
from .notification_create_fallback_type_0_item import (
    NotificationCreateFallbackType0Item,
)
from .notification_data import NotificationData
from .notification_digest import NotificationDigest
from .notification_fallback_item import NotificationFallbackItem
from .notification_page import NotificationPage
from .notification_patch import NotificationPatch
from .notification_patch_data_type_0 import NotificationPatchDataType0
from .notification_status import NotificationStatus
from .openapi_response_200 import OpenapiResponse200
from .preferences import Preferences
from .preferences_additional_property import PreferencesAdditionalProperty
from .quiet_hours import QuietHours
from .readiness import Readiness
from .readiness_postgres import ReadinessPostgres
from .readiness_redis import ReadinessRedis
from .recipient import Recipient
from .recipient_batch import RecipientBatch
from .recipient_batch_result import RecipientBatchResult
from .recipient_batch_result_items_item import RecipientBatchResultItemsItem
from .recipient_create import RecipientCreate
from .recipient_create_preferred_channel import RecipientCreatePreferredChannel
from .recipient_defaults import RecipientDefaults
from .recipient_input import RecipientInput
from .recipient_input_preferred_channel import RecipientInputPreferredChannel
from .recipient_page import RecipientPage
from .recipient_preferred_channel import RecipientPreferredChannel
from .register_request import RegisterRequest
from .registered import Registered
from .registered_tenant import RegisteredTenant
from .replay_matching_response_200 import ReplayMatchingResponse200
from .replay_matching_response_200_skipped_item import (
    ReplayMatchingResponse200SkippedItem,
)
from .rule import Rule
from .rule_channel import RuleChannel
from .rule_fallback_item import RuleFallbackItem
from .rule_input import RuleInput
from .rule_input_channel import RuleInputChannel
from .rule_input_fallback_type_0_item import RuleInputFallbackType0Item
from .rule_list import RuleList
from .series import Series
from .series_status import SeriesStatus
from .sms_status_report import SmsStatusReport
from .stats import Stats
from .stats_counts import StatsCounts
from .stats_due import StatsDue
from .stats_forecast import StatsForecast
from .stats_forecast_daily_item import StatsForecastDailyItem
from .stats_forecast_hourly_item import StatsForecastHourlyItem
from .stats_lag import StatsLag
from .stats_overdue import StatsOverdue
from .stats_queues import StatsQueues
from .stats_queues_leader import StatsQueuesLeader
from .stats_sends_per_minute_item import StatsSendsPerMinuteItem
from .template import Template
from .template_input import TemplateInput
from .template_list import TemplateList
from .template_preview import TemplatePreview
from .template_preview_channel import TemplatePreviewChannel
from .template_preview_request import TemplatePreviewRequest
from .template_preview_request_channel import TemplatePreviewRequestChannel
from .template_preview_request_data_type_0 import TemplatePreviewRequestDataType0
from .template_version_input import TemplateVersionInput
from .tenant import Tenant
from .unsubscribed import Unsubscribed
from .unsubscribed_channel import UnsubscribedChannel
from .user import User
from .user_create import UserCreate
from .user_create_role import UserCreateRole
from .user_patch import UserPatch
from .user_patch_role import UserPatchRole
from .user_role import UserRole
from .webhook_secret_rotation import WebhookSecretRotation

__all__ = (
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyCreateRole",
    "ApiKeyCreated",
    "ApiKeyCreatedRole",
    "ApiKeyRole",
    "BulkRequest",
    "BulkRequestChannel",
    "CancelCount",
    "CancelMatchingResponse200",
    "CancelMatchingResponse200SkippedItem",
    "CronPreview",
    "CronPreviewRequest",
    "DeliveryAttempt",
    "DeliveryAttemptList",
    "DeliveryAttemptOutcome",
    "DigestInput",
    "Error",
    "ErrorError",
    "ErrorErrorItemsItem",
    "Event",
    "EventBatch",
    "EventBatchResult",
    "EventBatchResultItemsItem",
    "EventCancelled",
    "EventCancelledStatus",
    "EventCreate",
    "EventCreatePayload",
    "EventPage",
    "EventPayload",
    "EventStatus",
    "GetMeResponse200",
    "GetMeResponse200Role",
    "GetMeResponse200Tenant",
    "GetTimelineResponse200",
    "GetTimelineResponse200CreatedBy",
    "GetTimelineResponse200ItemsItem",
    "GetTimelineResponse200ItemsItemBy",
    "GetTimelineResponse200ItemsItemKind",
    "GetTimelineResponse200Rendered",
    "GroupCancel",
    "Health",
    "HealthStatus",
    "ListApiKeysResponse200",
    "ListDeadLettersChannel",
    "ListDeadLettersSort",
    "ListEventsStatus",
    "ListNotificationsChannel",
    "ListNotificationsSort",
    "ListNotificationsStatus",
    "ListSeriesResponse200",
    "ListSeriesResponse200ItemsItem",
    "ListSeriesResponse200ItemsItemPendingOccurrenceType0",
    "ListSeriesStatus",
    "ListUsersResponse200",
    "LoginRequest",
    "LoginResponse",
    "NotReady",
    "Notification",
    "NotificationBatch",
    "NotificationBatchResult",
    "NotificationBatchResultItemsItem",
    "NotificationChannel",
    "NotificationCreate",
    "NotificationCreateChannel",
    "NotificationCreateChannelsType0Item",
    "NotificationCreateDataType0",
    "NotificationCreateFallbackType0Item",
    "NotificationData",
    "NotificationDigest",
    "NotificationFallbackItem",
    "NotificationPage",
    "NotificationPatch",
    "NotificationPatchDataType0",
    "NotificationStatus",
    "OpenapiResponse200",
    "Preferences",
    "PreferencesAdditionalProperty",
    "QuietHours",
    "Readiness",
    "ReadinessPostgres",
    "ReadinessRedis",
    "Recipient",
    "RecipientBatch",
    "RecipientBatchResult",
    "RecipientBatchResultItemsItem",
    "RecipientCreate",
    "RecipientCreatePreferredChannel",
    "RecipientDefaults",
    "RecipientInput",
    "RecipientInputPreferredChannel",
    "RecipientPage",
    "RecipientPreferredChannel",
    "RegisterRequest",
    "Registered",
    "RegisteredTenant",
    "ReplayMatchingResponse200",
    "ReplayMatchingResponse200SkippedItem",
    "Rule",
    "RuleChannel",
    "RuleFallbackItem",
    "RuleInput",
    "RuleInputChannel",
    "RuleInputFallbackType0Item",
    "RuleList",
    "Series",
    "SeriesStatus",
    "SmsStatusReport",
    "Stats",
    "StatsCounts",
    "StatsDue",
    "StatsForecast",
    "StatsForecastDailyItem",
    "StatsForecastHourlyItem",
    "StatsLag",
    "StatsOverdue",
    "StatsQueues",
    "StatsQueuesLeader",
    "StatsSendsPerMinuteItem",
    "Template",
    "TemplateInput",
    "TemplateList",
    "TemplatePreview",
    "TemplatePreviewChannel",
    "TemplatePreviewRequest",
    "TemplatePreviewRequestChannel",
    "TemplatePreviewRequestDataType0",
    "TemplateVersionInput",
    "Tenant",
    "Unsubscribed",
    "UnsubscribedChannel",
    "User",
    "UserCreate",
    "UserCreateRole",
    "UserPatch",
    "UserPatchRole",
    "UserRole",
    "WebhookSecretRotation",
)
