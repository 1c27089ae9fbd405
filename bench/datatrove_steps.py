"""The datatrove steps of the benchmark's datatrove peers (``bench/peers/``): a text-file reader, a splitter on a
known join and a language step. Imported only by the datatrove peers (datatrove is a dev dependency); top-level
classes, so that datatrove's executor pickles them by reference into its worker processes.

The language step is datatrove's ``LanguageFilter`` in its ``label_only=True`` mode (its ``filter`` logic for that
mode, on a ``datatrove.utils.lid.LID`` backend): ``LanguageFilter`` itself insists on fastText and downloads its
model from the Hub, which this project cannot do.
"""

from __future__ import annotations

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.readers.base import BaseDiskReader
from datatrove.utils.lid import LID

LANG_BATCH = 200  # documents per call of the product's engine (bench.run's LANG_CHUNK)


class TextFileReader(BaseDiskReader):
    """One document per UTF-8 text file (datatrove has readers for JSONL, Parquet, CSV, WARC; none for text)."""

    name = "📄 Text files"

    def read_file(self, filepath: str) -> DocumentsPipeline:
        with self.data_folder.open(filepath, "rt", encoding="utf-8") as f, self.track_time():
            document = self.get_document_from_dict({"text": f.read()}, filepath, 0)
        if document:
            yield document


class JoinSplitter(PipelineStep):
    """Splits each document at a known join into one document per non-empty stripped piece (the metadata is kept,
    ``ordinal`` = the piece's number)."""

    type = "✂️ - SPLITTER"
    name = "Join splitter"

    def __init__(self, join: str) -> None:
        super().__init__()
        self.join = join

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data:
            with self.track_time():
                pieces = [s for s in (p.strip() for p in doc.text.split(self.join)) if s]
            for i, text in enumerate(pieces):
                self.stat_update("pieces")
                new = Document(text=text, id=f"{doc.id}/{i}", metadata={**doc.metadata, "ordinal": i})
                self.update_doc_stats(new)
                yield new


class LangdetectLID(LID):
    """A datatrove LID backend of langdetect's own code, seeded: the best language and every probability
    (``und`` with 0.0 when langdetect finds no features)."""

    def predict(self, doc: Document) -> tuple[tuple[str, float], dict[str, float]]:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        try:
            pairs = {str(x.lang): float(x.prob) for x in detect_langs(doc.text)}
        except LangDetectException:
            pairs = {"und": 0.0}
        return max(pairs.items(), key=lambda kv: kv[1]), pairs


class LanguageLabel(BaseFilter):
    """``LanguageFilter(label_only=True)`` on langdetect's own code (``engine="langdetect"``: the full text, one
    document at a time, as ``LanguageFilter`` hands its model) or on the product's numpy engine (``engine="fast"``:
    ``corpus_etl.langid.detect_languages`` on batches of ``LANG_BATCH`` documents, each read up to
    ``sample_chars``, as the product detects). ``language`` and ``language_score`` go into the metadata; every
    document is kept."""

    name = "🌍 Language ID"

    def __init__(self, engine: str, sample_chars: int = 1000) -> None:
        if engine not in ("langdetect", "fast"):
            raise ValueError(f"unknown engine {engine!r}: langdetect or fast")
        super().__init__(batch_size=LANG_BATCH if engine == "fast" else 1)
        self.engine = engine
        self.sample_chars = sample_chars
        self.model = LangdetectLID() if engine == "langdetect" else None

    def filter(self, doc: Document) -> bool:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool]:
        if self.model is not None:
            for doc in batch:
                (lang, score), _ = self.model.predict(doc)
                doc.metadata["language"], doc.metadata["language_score"] = lang, score
        else:
            from corpus_etl.langid import detect_languages

            results = detect_languages([d.text for d in batch], seed=0, sample_chars=self.sample_chars, engine="fast")
            for doc, res in zip(batch, results, strict=True):
                doc.metadata["language"], doc.metadata["language_score"] = res.language, float(res.probability)
        return [True] * len(batch)
