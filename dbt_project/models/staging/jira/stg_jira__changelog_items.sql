-- Every batch that saw an issue carries its whole history: keep one copy of each item.
{{ newest_version(
    source('jira', 'changelog_items'),
    key='issue_id, history_id, item_index',
    columns=[
        "issue_id || ':' || history_id || ':' || item_index as changelog_item_id",
        'issue_id', 'history_id', 'item_index', 'changed_at', 'author_account_id', 'field',
        'field_id', 'field_type', 'from_value', 'from_string', 'to_value', 'to_string',
    ],
) }}
