from shequ.import_command import ImportCommand
from volunteers.importers import import_volunteers


class Command(ImportCommand):
    help = "从 .xlsx 导入志愿者（全部行无误才写入，否则逐行报告错误，什么也不写）。范围：全市。"
    importer = staticmethod(import_volunteers)
