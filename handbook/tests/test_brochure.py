"""The brochure parser, on the organisation's real brochure and on small hand-written files."""

from pathlib import Path

import pytest
from django.utils import translation

from handbook.brochure import (
    Brochure,
    BrochureError,
    Heading,
    Paragraph,
    TrialRef,
    parse_brochure,
)

SEED = (
    Path(__file__).resolve().parents[2]
    / "demo"
    / "data"
    / "brochures"
    / "mesenchymal-stem-cells.zh-hans.txt"
)


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def seed() -> Brochure:
    with translation.override("en"):
        return parse_brochure(SEED.read_bytes(), source_name=SEED.name)


def parse(text: str) -> Brochure:
    return parse_brochure(text.encode("utf-8"), source_name="test.txt")


def paragraphs(brochure: Brochure) -> list[str]:
    return [block.text for block in brochure.blocks if isinstance(block, Paragraph)]


def headings(brochure: Brochure) -> list[Heading]:
    return [block for block in brochure.blocks if isinstance(block, Heading)]


def trial_ids(brochure: Brochure) -> list[str]:
    return [block.nct_id for block in brochure.blocks if isinstance(block, TrialRef)]


def body_texts(brochure: Brochure) -> list[str]:
    return [block.text for block in brochure.blocks if isinstance(block, Heading | Paragraph)]


# The real brochure


def test_seed_title_and_section(seed):
    assert seed.title == "间充质干细胞"
    assert seed.section == "实验性治疗方法"
    assert seed.section_en == "EXPERIMENTAL TREATMENT"


def test_seed_page_break_is_repaired(seed):
    texts = paragraphs(seed)
    assert any("局部注射间充质干细胞" in text for text in texts)
    assert not any(text.endswith("局部注射间") for text in texts)
    assert not any(text.startswith("充质干细胞") for text in texts)
    joined = [repair for repair in seed.repairs if "注射间|充质" in repair]
    assert len(joined) == 1
    assert "73" in joined[0] and "80" in joined[0]


def test_seed_trial_cards_follow_the_paragraph_citing_them(seed):
    assert trial_ids(seed) == ["NCT00962923", "NCT02213705", "NCT03211793", "NCT02975960"]
    for index, block in enumerate(seed.blocks):
        if isinstance(block, TrialRef):
            previous = seed.blocks[index - 1]
            assert isinstance(previous, Paragraph)
            assert block.nct_id in previous.text


def test_seed_headings_are_the_three_numbered_sections(seed):
    assert headings(seed) == [
        Heading("间充质干细胞疗法作用机理", "h2"),
        Heading("间充质干细胞在硬皮病中治疗研究", "h2"),
        Heading("间充质干细胞移植治疗指端溃疡", "h2"),
    ]
    assert any("Line 66" in repair and "3)" in repair for repair in seed.repairs)


def test_seed_body_has_no_page_furniture_or_organisation_text(seed):
    furniture = [
        "ORGANIZATION",
        "INTRODUCTION",
        "CONTACT",
        "EXPERIMENTAL",
        "扫码关注",
        "紫贝壳公益  ",
        "成都紫贝壳公益服务中心",
        "多一分了解",
        ">>>",
        "办公电话",
        "QQ群",
        "机构简介",
        "联系方式",
        "本网站不提供专业医疗建议",
        "Scleroderma Education Project",
        "---",
    ]
    for text in body_texts(seed):
        assert text.strip(), "empty block"
        for piece in furniture:
            assert piece not in text


def test_seed_organisation(seed):
    assert seed.organisation == {
        "short_name": "紫贝壳公益",
        "full_name": "成都紫贝壳公益服务中心",
        "name_en": "Chinese Organization For Scleroderma",
        "tagline": "多一分了解 多一点安心",
        "introduction": (
            "成都紫贝壳公益服务中心（简称：紫贝壳公益，原名：硬皮病关爱之家），2016年由硬皮病患者及家属"
            "发起创办的中国硬皮病（SSc）患者关爱组织，并于2020年在成都市民政局登记注册。\n\n"
            "紫贝壳公益致力于提升疾病公众认知，搭建相关方沟通协作的桥梁，帮助和关爱患者及家庭，"
            "并努力为患者寻求更多治疗、康复、帮扶路径，推动中国硬皮病医疗事业的进步。"
        ),
        "vision": "人们不再害怕硬皮病",
        "mission": "帮助硬皮病患者勇敢有尊严的面对疾病，提高患者及家庭的生活质量",
        "slogan": "爱，让我们更柔软",
        "phone": "18180768676",
        "email": "info@sscchina.org",
        "website": "www.sscchina.org",
        "weibo": "@紫贝壳公益",
        "wechat_account": "紫贝壳公益",
        "qq_group": "152267349",
        "qq_group_rule": "进群需提供诊断证明",
        "translation_credit": "本手册由以下机构授权翻译 The Scleroderma Education Project",
    }


def test_seed_disclaimer(seed):
    assert seed.disclaimer.startswith("本网站不提供专业医疗建议")
    assert seed.disclaimer.endswith("延迟就医。")


def test_seed_block_counts(seed):
    assert len(paragraphs(seed)) == 16
    assert len(seed.blocks) == 16 + 3 + 4
    assert seed.blocks[0] == Paragraph(
        "硬皮病是一种自身免疫性疾病，患者自身的免疫系统会错误地攻击健康组织，从而导致瘢痕化、变硬。"
        "病情严重的类型如系统性硬皮病，瘢痕化也可能在包括心脏、肾脏、肺和胃肠道在内的内部器官中形成。"
    )
    assert paragraphs(seed)[-1].endswith("目前研究结果尚未公布。")


def test_seed_has_no_warnings_and_two_repairs(seed):
    assert seed.warnings == []
    assert len(seed.repairs) == 2


def test_utf8_bom_is_fine():
    data = "\ufeff# 标题\n\n正文。\n".encode()
    brochure = parse_brochure(data, source_name="bom.txt")
    assert brochure.title == "标题"
    assert paragraphs(brochure) == ["正文。"]


# Paragraphs and line breaks


def test_soft_line_breaks_join_cjk_without_space():
    brochure = parse("# 标题\n\n使命：帮助患者，  \n提高生活质量。\n\n另一段，\n接着写。\n")
    assert paragraphs(brochure) == ["使命：帮助患者，提高生活质量。", "另一段，接着写。"]


def test_soft_line_break_between_cjk_and_latin_adds_no_space():
    brochure = parse("# 标题\n\n随访一年后，  \nRodnan皮肤评分改善。\n")
    assert paragraphs(brochure) == ["随访一年后，Rodnan皮肤评分改善。"]


def test_english_brochure_joins_words_with_one_space():
    brochure = parse(
        "# Mesenchymal stem cells\n\n"
        "Scleroderma is an autoimmune  \n"
        "disease that affects the skin.\n\n"
        "A trial in Korea  \nenrolled\n\n\n\npatients with digital ulcers.\n\n"
        "This website does not provide medical advice, diagnosis or treatment.\n"
    )
    assert brochure.title == "Mesenchymal stem cells"
    assert paragraphs(brochure) == [
        "Scleroderma is an autoimmune disease that affects the skin.",
        "A trial in Korea enrolled patients with digital ulcers.",
    ]
    assert brochure.disclaimer.startswith("This website does not provide medical advice")
    assert len(brochure.repairs) == 1


# Headings


def test_heading_levels_and_quirks():
    brochure = parse(
        "# 标题\n\n"
        "## 1) 第一部分\n\n正文。\n\n"
        "### 小节\n\n正文。\n\n"
        "### 3) 第三部分\n\n正文。\n\n"
        "4) 第四部分\n\n正文。\n\n"
        "#### 更深一层\n\n正文。\n"
    )
    assert headings(brochure) == [
        Heading("第一部分", "h2"),
        Heading("小节", "h3"),
        Heading("第三部分", "h2"),
        Heading("第四部分", "h2"),
        Heading("更深一层", "h3"),
    ]
    assert [warning for warning in brochure.warnings if "Line 19" in warning]
    assert len(brochure.warnings) == 1
    assert any("Line 11" in repair for repair in brochure.repairs)
    assert any("Line 15" in repair for repair in brochure.repairs)
    assert not any("Line 3" in repair for repair in brochure.repairs)


def test_numbered_sentence_is_not_a_heading():
    brochure = parse("# 标题\n\n1) 患者需要先接受血浆置换，然后注射干细胞。\n")
    assert headings(brochure) == []
    assert paragraphs(brochure) == ["1) 患者需要先接受血浆置换，然后注射干细胞。"]


def test_second_top_level_heading_becomes_a_section_with_a_warning():
    brochure = parse("# 标题\n\n正文。\n\n# 另一个标题\n\n正文。\n")
    assert brochure.title == "标题"
    assert headings(brochure) == [Heading("另一个标题", "h2")]
    assert any("Line 5" in warning for warning in brochure.warnings)


# Page breaks


def test_page_break_after_a_full_stop_is_not_joined():
    brochure = parse("# 标题\n\n第一段结束了。\n\n\n \n\n\n第二段开始。\n")
    assert paragraphs(brochure) == ["第一段结束了。", "第二段开始。"]
    assert brochure.repairs == []


def test_page_break_is_never_joined_across_a_heading():
    brochure = parse("# 标题\n\n研究了局部注射间\n\n\n\n## 小标题\n\n充质干细胞。\n")
    assert paragraphs(brochure) == ["研究了局部注射间", "充质干细胞。"]
    assert brochure.repairs == []
    assert any("Line 3" in warning for warning in brochure.warnings)


def test_single_blank_line_is_a_paragraph_break_not_a_page_break():
    brochure = parse("# 标题\n\n研究了局部注射间\n\n充质干细胞。\n")
    assert paragraphs(brochure) == ["研究了局部注射间", "充质干细胞。"]
    assert brochure.repairs == []


def test_whitespace_only_line_marks_a_page_break():
    brochure = parse("# 标题\n\n研究了局部注射间\n \n充质干细胞。\n")
    assert paragraphs(brochure) == ["研究了局部注射间充质干细胞。"]
    assert brochure.repairs[0] == (
        "Lines 3–5: joined a sentence split by a page break: “…研究了局部注射间|充质干细胞。…”."
    )


def test_repeated_header_line_is_dropped_and_marks_a_page_break():
    brochure = parse(
        "紫贝壳公益  \nChinese Organization\n\n"
        "# 标题\n\n研究了局部注射间\n\n紫贝壳公益\n\n充质干细胞。\n\n---\n\n下一段。\n"
    )
    assert paragraphs(brochure) == ["研究了局部注射间充质干细胞。", "下一段。"]
    assert brochure.organisation == {"short_name": "紫贝壳公益", "name_en": "Chinese Organization"}


# Unrecognised structure


@pytest.mark.parametrize(
    "line",
    [
        "| 试验 | 状态 |",
        "![示意图](figure.png)",
        "<div>正文</div>",
        "- 第一点",
        "1. 第一点",
    ],
)
def test_unrecognised_structure_is_kept_as_a_paragraph_with_a_warning(line):
    brochure = parse(f"# 标题\n\n正文。\n\n{line}\n\n下一段。\n")
    assert paragraphs(brochure) == ["正文。", line, "下一段。"]
    assert len(brochure.warnings) == 1
    assert "Line 5" in brochure.warnings[0]


def test_inline_markup_is_kept_as_text_with_a_warning():
    brochure = parse("# 标题\n\n这是**重要**的。\n")
    assert paragraphs(brochure) == ["这是**重要**的。"]
    assert ["Line 3" in warning for warning in brochure.warnings] == [True]


# Trial cards


def test_trial_cited_twice_gets_one_card():
    brochure = parse(
        "# 标题\n\n"
        "一项试验（NCT00962923）和另一项试验（NCT02213705）。\n\n"
        "前述试验（NCT00962923）原计划2011年完成。\n\n"
        "编号错误的NCT009629231不是试验。\n"
    )
    assert brochure.blocks == [
        Paragraph("一项试验（NCT00962923）和另一项试验（NCT02213705）。"),
        TrialRef("NCT00962923"),
        TrialRef("NCT02213705"),
        Paragraph("前述试验（NCT00962923）原计划2011年完成。"),
        Paragraph("编号错误的NCT009629231不是试验。"),
    ]


# Disclaimer and organisation


def test_paragraph_asking_for_medical_advice_is_not_the_disclaimer():
    brochure = parse("# 标题\n\n参加试验前，请向医生寻求医疗建议和诊断。\n")
    assert paragraphs(brochure) == ["参加试验前，请向医生寻求医疗建议和诊断。"]
    assert brochure.disclaimer == ""


def test_contact_heading_starts_the_organisation_section():
    brochure = parse(
        "# 标题\n\n正文。\n\n## 联系我们\n\n"
        "电话: 010-12345678\n邮箱: info@example.org\n\n"
        "QQ群：12345678\n\n杂项说明\n"
    )
    assert paragraphs(brochure) == ["正文。"]
    assert brochure.organisation == {
        "phone": "010-12345678",
        "email": "info@example.org",
        "qq_group": "12345678",
    }
    assert any("Line 12" in warning and "杂项说明" in warning for warning in brochure.warnings)


def test_organisation_names_from_introduction_without_header():
    brochure = parse(
        "# 标题\n\n正文。\n\n# 机构简介\n\n"
        "北京某某罕见病关爱中心（简称：某某关爱，原名：某某之家），成立于2018年。\n"
    )
    assert brochure.organisation["short_name"] == "某某关爱"
    assert brochure.organisation["full_name"] == "北京某某罕见病关爱中心"
    assert brochure.organisation["introduction"].startswith("北京某某罕见病关爱中心")


# Bad input


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b" \n\t\n\xe3\x80\x80\n", "only blank lines"),
        (b"# title\n\x00\x01binary", "NUL bytes"),
        ("# 间充质干细胞\n\n硬皮病是一种自身免疫性疾病。\n".encode("gbk"), "GBK/GB18030"),
        ("# 间充质干细胞\n\n正文。\n".encode("utf-16"), "saved as UTF-16"),
        (b"# caf\xe9\n", "not UTF-8 text (invalid byte at position 5)"),
        ("只有正文，没有标题。\n\n#没有空格\n".encode(), "No title"),
    ],
    ids=["empty", "whitespace", "nul", "gbk", "utf16", "latin1", "no-title"],
)
def test_bad_input_raises_a_clear_error(data, expected):
    with pytest.raises(BrochureError) as excinfo:
        parse_brochure(data, source_name="brochure.txt")
    assert expected in str(excinfo.value)


def test_pdf_uploaded_by_mistake_says_so():
    with pytest.raises(BrochureError, match="PDF"):
        parse_brochure(b"%PDF-1.7\n\x00\x00", source_name="brochure.pdf")
