import os
import subprocess

project = os.environ.get("PROJECT", "vision")

subprocess.run(["runai", "project", "set", project], check=True)
subprocess.run(["runai", "training", "submit", "train1", "-i", "img", "-g", "1"], check=True)
subprocess.run(['runai', 'workspace', 'submit', 'nb1', '-i', 'img'], check=True)
subprocess.run(
    [
        "runai",
        "training",
        "pytorch",
        "submit",
        "ddp1",
    ],
    check=True,
)
os.system("runai workload list")
subprocess.run(f"runai training xgboost submit xgb1 -i img -p {project}", shell=True, check=True)
