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
    assert sample_text(s, 101) == s  # a sample is its own sample


def test_the_samples_of_texts_are_detected_as_the_texts():
    """The pipeline cuts each record's sample once and passes the samples (``build_articles``): the answers are
    the texts' own, the cache aside."""
    from corpus_etl import langid

    texts = [" ".join([EN, FR] * 12), " ".join([DE, EN] * 3 + [FR] * 30), FR, "12345 " * 400]
    assert all(len(t) > 1000 for t in texts[:2])
    samples = [sample_text(t, 1000) for t in texts]
    langid._CACHE.clear()
    of_texts = langid.detect_languages(texts)
    langid._CACHE.clear()
    assert langid.detect_languages(samples) == of_texts


def test_supported_languages_are_iso_639_1():
    langs = supported_languages()
    assert "zh" in langs and "zh-cn" not in langs and "en" in langs and len(langs) >= 50


def test_supported_languages_are_the_factorys_without_loading_it():
    """The list comes from the profile file names: the same as langdetect's loaded factory reports."""
    import subprocess
    import sys

    from langdetect import detector_factory

    from corpus_etl.langid import _ISO, _ensure_factory

    _ensure_factory(0)
    assert detector_factory._factory is not None
    loaded = sorted({_ISO.get(c, c) for c in detector_factory._factory.get_lang_list()})
    assert supported_languages() == loaded
    code = (
        "import langdetect.detector_factory as f\n"
        "from corpus_etl.langid import supported_languages\n"
        "assert len(supported_languages()) >= 50 and f._factory is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_texts_detected_in_groups_keep_their_answers_and_share_equal_results(monkeypatch):
    from corpus_etl import langfast, langid

    texts = [f"{EN} Item {k} of the agenda." for k in range(9)] + [FR, DE, "12345 !!!", FR + " Encore."]
    langid._CACHE.clear()
    one_by_one = [detect_language(t) for t in texts]
    langid._CACHE.clear()
    monkeypatch.setattr(langfast, "GROUP", 4)  # detectors made and run four at a time
    together = langid.detect_languages(texts)
    assert together == one_by_one and [r.language for r in together[-4:]] == ["fr", "de", UND, "fr"]
    cached = list(langid._CACHE.values())
    assert len({id(r) for r in cached}) == len(set(cached)) < len(cached)  # one object per distinct result


def test_short_texts_take_the_language_of_their_files_long_texts() -> None:
    from corpus_etl.langid import FILE_LANGUAGE, LangResult, with_file_language

    long_en = "word " * 60  # 240 letters each
    texts = [long_en, long_en, long_en, long_en, "Shr 62 cts vs 19 cts", long_en[:50], "x " * 200]
    langs = [
        LangResult("en", 0.99),
        LangResult("en", 0.99),
        LangResult("en", 0.98),
        LangResult("en", 0.97),
        LangResult("sv", 0.86),  # a table of figures: taken from the file
        LangResult("en", 0.7),  # short, already English: kept
        LangResult("de", 0.99),  # long (200 letters): its own detection stands
    ]
    out = with_file_language(texts, langs)
    assert out[4] == LangResult("en", round(960 / 1160, 6), FILE_LANGUAGE)  # English: 960 of 1,160 long letters
    assert out[:4] == langs[:4] and out[5:] == langs[5:]


def test_no_file_language_without_a_dominant_long_language() -> None:
    from corpus_etl.langid import LangResult, with_file_language

    long = "word " * 60
    mixed = [long, long, "Shr 62 cts vs 19 cts"]
    langs = [LangResult("en", 0.99), LangResult("de", 0.99), LangResult("sv", 0.9)]
    assert with_file_language(mixed, langs) == langs  # 50 % English: no prior
    shorts = ["Shr 62 cts", "Net 1.2 mln", "Revs 3 mln"]
    short_langs = [LangResult("sv", 0.9), LangResult("no", 0.8), LangResult("en", 0.9)]
    assert with_file_language(shorts, short_langs) == short_langs  # no long text: as detected
    und = [long, long, ""]
    und_langs = [LangResult("en", 0.99), LangResult("en", 0.99), LangResult("und", 0.0, "no_letters")]
    assert with_file_language(und, und_langs) == und_langs  # 'und' stays 'und'
