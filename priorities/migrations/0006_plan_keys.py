"""Every priority and plan line gets the key a plan file names it by.

Existing rows get the keys `add_plan_keys` writes for a csp-plan/1 file, made from kind and
position (priority-1, theme-2, key-issue-3, sub-point-1, aim-4, outcome-5), so converting
the file a plan was imported from and importing it matches every row to its line. The
scheme is copied here, not imported, so this migration stays what it was when it ran.
"""

import django.core.validators
from django.db import migrations, models

KEY_HELP = "The plan file's name for this, which keeps it the same row when its text is reworded."
LINE_KINDS = [("Theme", "theme"), ("PartnershipAim", "aim"), ("ExpectedOutcome", "outcome")]


def key_field():
    return models.CharField(
        default="",
        help_text=KEY_HELP,
        max_length=50,
        validators=[
            django.core.validators.RegexValidator(
                "^[a-z0-9]+(-[a-z0-9]+)*$", "Use lower-case letters, digits and hyphens, e.g. knife-crime"
            )
        ],
    )


def fill_keys(apps, schema_editor):
    Priority = apps.get_model("priorities", "Priority")
    Priority.objects.update(
        key=models.functions.Concat(models.Value("priority-"), "number", output_field=models.CharField())
    )
    for name, kind in [*LINE_KINDS, ("KeyIssue", "key-issue")]:
        model = apps.get_model("priorities", name)
        lines = model.objects.all()
        if name == "KeyIssue":
            model.objects.filter(parent__isnull=False).update(
                key=models.functions.Concat(models.Value("sub-point-"), "position", output_field=models.CharField())
            )
            lines = lines.filter(parent__isnull=True)
        lines.update(key=models.functions.Concat(models.Value(f"{kind}-"), "position", output_field=models.CharField()))


def add_key(model_name):
    return migrations.AddField(model_name=model_name, name="key", field=key_field(), preserve_default=False)


def current_position(fields, name, **condition):
    return models.UniqueConstraint(condition=models.Q(retired_at__isnull=True, **condition), fields=fields, name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("priorities", "0005_partnerships"),
    ]

    operations = [
        *[
            add_key(name)
            for model in ["priority", "theme", "keyissue", "partnershipaim", "expectedoutcome"]
            for name in [model, f"historical{model}"]
        ],
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        # A retired line keeps its position, and a current line may take it.
        migrations.RemoveConstraint(model_name="priority", name="priority_number_unique"),
        migrations.RemoveConstraint(model_name="theme", name="theme_position_unique"),
        migrations.RemoveConstraint(model_name="keyissue", name="key_issue_position_unique"),
        migrations.RemoveConstraint(model_name="keyissue", name="sub_point_position_unique"),
        migrations.RemoveConstraint(model_name="partnershipaim", name="aim_position_unique"),
        migrations.RemoveConstraint(model_name="expectedoutcome", name="outcome_position_unique"),
        migrations.AddConstraint(
            model_name="priority", constraint=current_position(("plan", "number"), "priority_number_unique")
        ),
        migrations.AddConstraint(
            model_name="priority",
            constraint=models.UniqueConstraint(fields=("plan", "key"), name="priority_key_unique"),
        ),
        migrations.AddConstraint(
            model_name="theme", constraint=current_position(("priority", "position"), "theme_position_unique")
        ),
        migrations.AddConstraint(
            model_name="theme", constraint=models.UniqueConstraint(fields=("priority", "key"), name="theme_key_unique")
        ),
        migrations.AddConstraint(
            model_name="keyissue",
            constraint=current_position(("priority", "position"), "key_issue_position_unique", parent__isnull=True),
        ),
        migrations.AddConstraint(
            model_name="keyissue",
            constraint=current_position(("parent", "position"), "sub_point_position_unique", parent__isnull=False),
        ),
        migrations.AddConstraint(
            model_name="keyissue",
            constraint=models.UniqueConstraint(
                condition=models.Q(parent__isnull=True), fields=("priority", "key"), name="key_issue_key_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="keyissue",
            constraint=models.UniqueConstraint(
                condition=models.Q(parent__isnull=False), fields=("parent", "key"), name="sub_point_key_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="partnershipaim",
            constraint=current_position(("priority", "position"), "aim_position_unique"),
        ),
        migrations.AddConstraint(
            model_name="partnershipaim",
            constraint=models.UniqueConstraint(fields=("priority", "key"), name="aim_key_unique"),
        ),
        migrations.AddConstraint(
            model_name="expectedoutcome",
            constraint=current_position(("priority", "position"), "outcome_position_unique"),
        ),
        migrations.AddConstraint(
            model_name="expectedoutcome",
            constraint=models.UniqueConstraint(fields=("priority", "key"), name="outcome_key_unique"),
        ),
    ]
