"""Run the web server (gunicorn) and the job consumer (Huey) together; Ctrl-C or SIGTERM stops both."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start gunicorn and the Huey consumer; stop both on Ctrl-C/SIGTERM or when either exits."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args, port, host, workers, **options):
        from keshang.core.importing import fail_orphaned_imports

        # Imports a crash interrupted (the consumer checks too when it starts; this says so on the console).
        interrupted = fail_orphaned_imports()
        if interrupted:
            self.stdout.write(
                f"已将 {interrupted} 个中断的导入标记为失败 / marked {interrupted} interrupted import(s) failed"
            )
        bind = f"{host}:{port}"
        web = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "keshang.wsgi:application",
                "--bind", bind, "--workers", str(workers), "--threads", "4",
                "--access-logfile", "-", "--graceful-timeout", "10",
                # The control socket is per OS user, not per instance: two instances would share it.
                "--no-control-socket",
            ]
        )  # fmt: skip
        worker = subprocess.Popen([sys.executable, "-m", "keshang", "run_huey", "--quiet"])
        children = [web, worker]
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(
            self.style.SUCCESS(f"客商 Keshang 已启动 / running at http://{bind}  (Ctrl-C 停止 / to stop)")
        )
        self.stdout.write(f"数据库 / database: {settings.DATABASES['default']['NAME']}")
        self.stdout.flush()
        exit_code = 0
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    self.stderr.write(f"进程退出 / process exited: {child.args[2]} ({child.returncode})")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("已停止 / stopped.")
        sys.exit(exit_code)
