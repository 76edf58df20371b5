"""Seeded fictional world + LinkQA task generator (no third-party deps)."""
import random

SEED = 20261125
PROFESSIONS = ["baker", "smith", "potter", "weaver", "miner", "farmer", "fisher", "tailor", "mason",
               "carpenter", "cook", "brewer", "hunter", "sailor", "doctor", "teacher", "singer", "painter",
               "guard", "merchant", "scribe", "healer", "herder", "builder", "glazier", "cobbler", "jeweler",
               "miller", "tanner", "dyer", "roofer", "barber"]
LIKES = ["apples", "plums", "pears", "figs", "dates", "grapes", "olives", "honey", "cheese", "bread", "rice",
         "beans", "nuts", "cherries", "lemons", "melons", "berries", "carrots", "onions", "peas", "soup", "tea"]
ATTRS = ["city", "job", "likes"]

QUESTION = {"city": "Where does {n} live?", "job": "What does {n} work as?", "likes": "What does {n} like?"}
CLAUSE = {"city": "lives in {v}", "job": "works as {v}", "likes": "likes {v}"}
# training-only auxiliary question: everything the passage says about a person (build.multi_qa's p_about)
ABOUT_QUESTION = "What do we know about {n}?"
# training-only auxiliary question, asked from the value back to the person (answer: the full name); never evaluated
REVERSE_QUESTION = {"city": "Who lives in {v}?", "job": "Who works as {v}?", "likes": "Who likes {v}?"}

_ONS = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st", "th", "sh"]
_VOW = ["a", "e", "i", "o", "u", "ai", "ei", "ou"]
_COD = ["", "", "n", "r", "l", "s", "m", "th", "k", "nd", "rn"]


def _word(rng, nsyl):
    s = "".join(rng.choice(_ONS) + rng.choice(_VOW) for _ in range(nsyl)) + rng.choice(_COD)
    return s[0].upper() + s[1:]


def attrs_shown(shown, at_least=1):
    """the attributes that at least this many people of a passage show (shown: each person's shown attributes); with
    at_least=2 these are the "contested" ones, whose questions cannot be answered by copying the only value of a kind."""
    return {a for a in ATTRS if sum(a in s for s in shown) >= at_least}


class World:
    """people, closed attribute sets, splits, cipher; everything from one seed."""

    def __init__(self, seed=SEED, n_first=110, n_last=110, n_people=3600, n_cities=44):
        rng = random.Random(seed)
        used = set()

        def uniq(n, lo, hi):
            out = []
            while len(out) < n:
                w = _word(rng, rng.randint(lo, hi))
                if w not in used and 3 <= len(w) <= 9:
                    used.add(w)
                    out.append(w)
            return out
        self.cities = uniq(n_cities, 1, 2)
        self.first = uniq(n_first, 1, 2)
        self.last = uniq(n_last, 2, 3)
        self.professions = list(PROFESSIONS)
        self.likes = list(LIKES)
        self.values = {"city": self.cities, "job": self.professions, "likes": self.likes}
        names = set()
        while len(names) < n_people:
            names.add(rng.choice(self.first) + " " + rng.choice(self.last))
        people = sorted(names)
        rng.shuffle(people)
        self.people = people
        # splits by people
        self.split = {"knowledge": people[:200], "test": people[200:600], "val": people[600:900],
                      "train": people[900:]}
        # fixed attributes (used only by the knowledge task)
        self.fixed = {p: {a: rng.choice(self.values[a]) for a in ATTRS} for p in people}
        # letter-substitution cipher: a derangement of a-z, same permutation for upper case
        letters = list("abcdefghijklmnopqrstuvwxyz")
        while True:
            perm = letters[:]
            rng.shuffle(perm)
            if all(a != b for a, b in zip(letters, perm)):
                break
        tab = {a: b for a, b in zip(letters, perm)}
        tab.update({a.upper(): b.upper() for a, b in zip(letters, perm)})
        self.cipher_table = tab
        self._enc = str.maketrans(tab)

    def encipher(self, text):
        return text.translate(self._enc)

    # ---- context task -------------------------------------------------------------------
    def passage(self, rng, split, ks=(2, 3)):
        """A passage about k people of `split` (k from ks), attributes drawn afresh."""
        pool = self.split[split]
        k = rng.choice(ks)
        while True:
            ps = rng.sample(pool, k)
            if len({p.split()[0] for p in ps}) == k and len({p.split()[1] for p in ps}) == k:
                break
        facts = []
        for a in ATTRS:  # distinct values per attribute inside a passage -> unambiguous answers
            vals = rng.sample(self.values[a], k)
            facts.append(vals)
        facts = [{a: facts[j][i] for j, a in enumerate(ATTRS)} for i in range(k)]
        shown = []
        for i in range(k):
            m = [rng.random() < 0.75 for _ in ATTRS]
            if not any(m):
                m[rng.randrange(3)] = True
            shown.append([a for a, keep in zip(ATTRS, m) if keep])
        return ps, facts, shown

    @staticmethod
    def sentence(person, attrs, facts):
        return person + " " + ", ".join(CLAUSE[a].format(v=facts[a]) for a in attrs) + "."

    def context_item(self, rng, split, ask=None, ks=(2, 3), contested=False):
        """returns dict with plain + script prompt variants and the answer. contested: only attributes that two or
        more people of the passage show may be asked (passages without one are redrawn)."""
        ps, facts, shown = self.passage(rng, split, ks)
        # choose the asked (person, attribute) among shown facts
        allowed = attrs_shown(shown, 2 if contested else 1)
        cands = [(i, a) for i in range(len(ps)) for a in shown[i] if (ask is None or a == ask) and a in allowed]
        if not cands:
            return self.context_item(rng, split, ask, ks, contested)
        i, a = rng.choice(cands)
        sents = [self.sentence(p, shown[j], facts[j]) for j, p in enumerate(ps)]
        plain = " ".join(sents)
        q = QUESTION[a].format(n=ps[i])
        return {"person": ps[i], "attribute": a, "answer": facts[i][a],
                "passage_plain": plain, "passage_script": self.encipher(plain), "question": q,
                "relay_sentence": self.sentence(ps[i], [a], facts[i])}

    # ---- prompts ------------------------------------------------------------------------
    @staticmethod
    def ctx_prompt(passage, question):
        return "Context: " + passage + " Question: " + question + " Answer:"

    @staticmethod
    def relay_prompt(passage, question):
        """sharer prompt for the text relay; target = ' ' + relay sentence"""
        return "Context: " + passage + " Question: " + question + " Sentence:"

    @staticmethod
    def know_prompt(question):
        return "Question: " + question + " Answer:"

    @staticmethod
    def know_relay_prompt(question):
        return "Question: " + question + " Sentence:"

    def knowledge_item(self, person, a):
        v = self.fixed[person][a]
        return {"person": person, "attribute": a, "answer": v, "question": QUESTION[a].format(n=person),
                "relay_sentence": self.sentence(person, [a], {a: v})}
