from django.core.management.base import BaseCommand, CommandError

from appeals.importers import load_categories


class Command(BaseCommand):
    help = "Load or refresh the 20 request categories from appeals/data/request_categories.csv (keeps city-set deadlines)."

    def handle(self, *args: object, **options: object) -> None:
        result = load_categories()
        if not result.ok:
            raise CommandError("\n".join(str(e) for e in result.errors))
        self.stdout.write(f"诉求类别：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
