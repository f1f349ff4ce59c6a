"""A report: CSV rows into SQLite, a grouped query, the result as CSV."""
import csv
import io
import sqlite3

ROWS = "region,product,amount\nnorth,tea,12.5\nsouth,tea,7.25\nnorth,coffee,20\nsouth,coffee,3.5\nnorth,tea,1\n"

db = sqlite3.connect(":memory:")
db.execute("create table sales (region text, product text, amount real)")
db.executemany("insert into sales values (?, ?, ?)",
               [(r["region"], r["product"], float(r["amount"])) for r in csv.DictReader(io.StringIO(ROWS))])
out = io.StringIO()
writer = csv.writer(out, lineterminator="\n")
writer.writerow(["region", "total"])
for region, total in db.execute("select region, sum(amount) from sales group by region order by region"):
    writer.writerow([region, f"{total:.2f}"])
print(out.getvalue().strip().replace("\n", " | "))
