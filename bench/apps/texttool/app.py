"""A text tool: word counts, a regex search and a JSON report of a text."""
import json
import re

TEXT = """It was the best of times, it was the worst of times, it was the age of wisdom,
it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity."""

words = re.findall(r"[a-z']+", TEXT.lower())
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
ages = re.findall(r"the (age|epoch) of (\w+)", TEXT)
print(json.dumps({"words": len(words), "top": top, "ages": ages}))
