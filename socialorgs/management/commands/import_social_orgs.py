from shequ.import_command import ImportCommand
from socialorgs.importers import import_social_orgs


class Command(ImportCommand):
    help = "从 .xlsx 导入社会组织（全部行无误才写入，否则逐行报告错误，什么也不写）。范围：全市。"
    importer = staticmethod(import_social_orgs)
