# Expected output of join_stream_within_param: the model in tests/run/impressions_model.py
# (the pipeline differs from join_stream_impressions only in `within w`).
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import impressions_model
os.chdir(os.path.dirname(os.path.abspath(__file__)))
impressions_model.write_case()
