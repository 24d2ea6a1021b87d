import json, random, sys
random.seed(7)
n = int(sys.argv[1]); out = sys.argv[2]
cps = list(range(0x4E00, 0xA000)) + list(range(0x20000, 0x20000 + n))
cps = cps[:n]
ops = "⿰⿱⿲⿳⿴⿵⿶⿷⿸⿹⿺⿻"
items = []
for i, cp in enumerate(cps):
    if i < 500:
        glyph = {"type": "basic_component", "strokes": [
            {"feature": "横", "start": [random.randint(0, 200), random.randint(0, 200)],
             "curveList": [{"command": "h", "parameterList": [random.randint(10, 100)]}]}
            for _ in range(random.randint(1, 6))]}
    else:
        op = random.choice(ops)
        k = 3 if op in "⿲⿳" else 2
        glyph = {"type": "compound", "operator": op,
                 "operandList": [chr(random.choice(cps[:i])) for _ in range(k)]}
    items.append({"unicode": cp, "tygf": random.randint(0, 3), "gb2312": random.random() < 0.1,
                  "readings": [{"pinyin": "zi4", "importance": 100}], "glyphs": [glyph],
                  "name": None, "gf0014_id": None, "gf3001_id": None, "ambiguous": False})
json.dump(items, open(out, "w"), ensure_ascii=False)
