from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = ("Delete background jobs' result files, error reports and uploads past their retention "
            "(SHEQU_JOB_UNMASKED_HOURS for unmasked exports, SHEQU_JOB_FILE_DAYS for the rest).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="hand the job to the background worker")

    def handle(self, *args: object, **options: object) -> None:
        from people.jobs import purge_job_files
        from people.tasks import purge_job_files_task

        if options["enqueue"]:
            purge_job_files_task.enqueue()
            self.stdout.write("已加入后台任务")
            return
        self.stdout.write(f"已删除 {purge_job_files()} 个任务的过期文件")
