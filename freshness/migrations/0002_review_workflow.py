"""The medical review step every accepted suggestion goes through before it is published.

Creates the group 医学审核员 (admin access; edit and publish on each handbook root), the group
approval task 医学审核 and the workflow 医学审核流程, assigned to each handbook root that exists
now. Roots created later (load_demo, import_brochure) get it from
`freshness.actions.ensure_review_workflow()`, which does the same at run time. This copy is
frozen on purpose: a migration must not depend on application code that may change.
"""

from django.db import migrations

GROUP = "医学审核员"
TASK = "医学审核"
WORKFLOW = "医学审核流程"


def create_review_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    HandbookIndexPage = apps.get_model("handbook", "HandbookIndexPage")

    group, _ = Group.objects.get_or_create(name=GROUP)
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    group.permissions.add(access)

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    task.groups.add(group)
    workflow = Workflow.objects.filter(name=WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW, active=True)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    permissions = [
        Permission.objects.get_or_create(
            content_type=page_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in (
            ("change_page", "Can change page"),
            ("publish_page", "Publish any page"),
        )
    ]
    for root in HandbookIndexPage.objects.all():
        if not WorkflowPage.objects.filter(page_id=root.pk).exists():
            WorkflowPage.objects.create(page_id=root.pk, workflow=workflow)
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=root.pk, permission=permission
            )


def remove_review_workflow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow.objects.filter(name=WORKFLOW).update(active=False)
    GroupApprovalTask.objects.filter(name=TASK).update(active=False)
    Group.objects.filter(name=GROUP, user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("freshness", "0001_initial"),
        ("handbook", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_review_workflow, remove_review_workflow)]
