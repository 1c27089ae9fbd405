-- Schema version 6 (frozen): line_hashes.outlet is the file's folder, not an outlet (articles.outlet): renamed.
ALTER TABLE "line_hashes" RENAME COLUMN "outlet" TO "folder"
