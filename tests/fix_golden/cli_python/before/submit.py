import os
import subprocess

project = os.environ.get("PROJECT", "vision")

subprocess.run(["runai", "config", "project", project], check=True)
subprocess.run(["runai", "submit", "train1", "-i", "img", "-g", "1"], check=True)
subprocess.run(['runai', 'submit', 'nb1', '-i', 'img', '--interactive'], check=True)
subprocess.run(
    [
        "runai",
        "submit-dist",
        "pytorch",
        "ddp1",
    ],
    check=True,
)
os.system("runai list jobs")
subprocess.run(f"runai submit-dist xgboost xgb1 -i img -p {project}", shell=True, check=True)
