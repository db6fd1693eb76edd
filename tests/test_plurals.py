from corpusbot.bot.plurals import counted


def test_one_is_singular_and_every_other_count_plural():
    assert counted(1, "article") == "1 article"
    assert counted(0, "article") == "0 articles"
    assert counted(2, "passage") == "2 passages"
    assert counted(1_200, "passage") == "1,200 passages"
    assert counted(3, "reply") == "3 replies"
