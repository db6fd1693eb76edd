"""Reading a corpus folder: files into `Article` records (with dates, outlets, links), and
articles into `Passage` records with their offsets."""
