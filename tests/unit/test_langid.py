from corpus_etl.langid import UND, detect_language, sample_text, supported_languages

EN = "The city council approved the new budget on Tuesday after a long debate about transit and housing."
FR = "Le conseil municipal a approuvé mardi le nouveau budget après un long débat sur les transports."
DE = "Der Stadtrat hat am Dienstag nach einer langen Debatte über Verkehr und Wohnen den Haushalt beschlossen."


def test_detects_languages():
    assert detect_language(EN).language == "en"
    assert detect_language(FR).language == "fr"
    assert detect_language(DE).language == "de"


def test_deterministic_with_seed():
    mixed = "Hello bonjour hallo ciao hola " * 3
    answers = {detect_language(mixed, seed=7) for _ in range(5)}
    assert len(answers) == 1


def test_und_with_reason():
    assert detect_language("12345 67890 !!! ---") == detect_language("12345 67890 !!! ---")
    r = detect_language("12345 67890 !!! ---")
    assert (r.language, r.reason, r.probability) == (UND, "no_letters", 0.0)
    assert detect_language("Hi there").reason == "too_short"


def test_sample_is_bounded_at_a_word_boundary():
    s = sample_text("word " * 1000, 101)
    assert len(s) <= 101 and s.endswith("word")


def test_supported_languages_are_iso_639_1():
    langs = supported_languages()
    assert "zh" in langs and "zh-cn" not in langs and "en" in langs and len(langs) >= 50
