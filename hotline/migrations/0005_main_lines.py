"""Give every existing organization its main hotline conversation."""

from django.db import migrations


def create_main_lines(apps, schema_editor):
    Organization = apps.get_model("liaison", "Organization")
    Conversation = apps.get_model("hotline", "Conversation")
    have = set(
        Conversation.objects.filter(legal_request__isnull=True).values_list(
            "organization_id", flat=True
        )
    )
    Conversation.objects.bulk_create(
        Conversation(organization=organization, title=f"{organization.name} hotline")
        for organization in Organization.objects.exclude(pk__in=have)
    )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0004_chat")]

    operations = [migrations.RunPython(create_main_lines, migrations.RunPython.noop)]
