"""Chinese news prose for the simulated newsroom: headlines, leads, paragraphs, names, tags, edits.

Sentences are built from news-shaped parts (who, when, says what) rather than word salad, so
that pages read like wire copy and headlines have the shapes slugs are made from (a space
between two clauses, a question mark, quotes). Everything takes a ``random.Random`` and is
deterministic for it. The text is NFC, without runs of white space or characters the crawler's
cleaners change, so a record's text can be compared with the model's to the character.
"""

from __future__ import annotations

import random
import re

SPEAKERS = (
    *("中国外交部发言人", "法国总统", "欧盟委员会", "美国国务院", "台湾陆委会", "香港特区政府", "联合国秘书长"),
    *("日本首相", "德国总理", "世界卫生组织", "国际货币基金组织", "人权观察", "无国界记者组织", "中国国家统计局"),
    *("法国外交部", "北约秘书长", "韩国总统府", "英国首相府", "国际原子能机构", "世界贸易组织", "中国商务部"),
)
VERBS = ("表示", "宣布", "指出", "强调", "呼吁", "批评", "回应", "警告", "否认", "证实")
CLAUSES = (
    *("将进一步加强双边合作", "对当前局势深表关切", "不会改变既定政策", "愿与各方保持沟通", "反对任何单边制裁"),
    *("正在评估最新数据", "要求立即释放被拘押人士", "希望尽快恢复谈判", "将推出新一轮经济刺激措施"),
    *("拒绝就具体细节发表评论", "认为相关报导与事实不符", "称局势仍然紧张", "表示已向对方提出严正交涉"),
    *("计划在年底前完成审查", "承诺加大对中小企业的支持", "警告供应链风险上升", "称谈判取得积极进展"),
)
TOPICS = (
    *("电动汽车关税", "南海局势", "半导体出口管制", "气候变化谈判", "乌克兰战事", "中东停火", "台海安全"),
    *("香港国安法", "新疆人权", "稀土供应", "欧洲议会选举", "巴黎奥运", "人口老龄化", "房地产市场"),
    *("青年失业率", "核电站安全", "人工智能监管", "粮食价格", "移民政策", "新闻自由", "公共赤字"),
)
HEADLINE_TAILS = ("前景如何", "意味着什么", "各方反应不一", "引发关注", "再掀争议", "能否落实", "为何重要")
TIME_WORDS = ("周一", "周二", "周三", "周四", "周五", "周末", "当天", "日前", "本周", "昨天")
CONNECTIVES = ("此外，", "与此同时，", "分析人士认为，", "据报导，", "另一方面，", "不过，", "值得注意的是，")
DETAILS = (
    *("相关部门已成立专门工作组", "消息在社交媒体上引发大量讨论", "多家外国媒体对此进行了报导"),
    *("这是双方今年以来的第三次会谈", "市场对此反应平淡", "部分议员对此提出质疑", "当局尚未公布具体时间表"),
    *("民间团体呼吁提高透明度", "专家提醒不要过度解读", "有关数据仍有待进一步核实", "这一决定将于下月生效"),
    *("反对党批评政府反应迟缓", "观察人士指出局势可能进一步升级", "企业界普遍表示欢迎", "官方媒体未作报导"),
)
NUMBERS = ("两", "三", "五", "十", "百分之五", "百分之十二", "数十", "近百", "上千", "约两万")
SURNAMES = ("林", "王", "苏", "安", "陈", "魏", "高", "宋", "曹", "罗", "许", "周", "杜", "黎")
GIVEN_NAMES = ("文", "立", "菲", "博", "若", "知", "南", "兰", "天", "山", "清", "雨", "明", "远")
FRENCH_NAMES = ("Clément Dubois", "Sophie Martin", "Léa Bernard", "Hugo Lefèvre", "Camille Girard")
TAGS = (
    *("中国", "法国", "欧盟", "美国", "台湾", "香港", "日本", "韩国", "俄罗斯", "乌克兰", "人权", "经济"),
    *("贸易", "外交", "气候", "能源", "科技", "半导体", "选举", "新闻自由", "军事", "南海", "疫情", "文化"),
)
CAPTIONS = ("资料图片", "现场照片", "示意图片", "新闻发布会现场", "街头一景")
CREDITS = ("法新社", "路透社", "美联社", "法广 RFI")

_SLUG_SEPARATORS = re.compile(r"[\W_]+")


def sentence(rng: random.Random) -> str:
    """One sentence of wire copy: a speaker says something, or a detail, with a connective."""
    if rng.random() < 0.5:
        text = f"{rng.choice(SPEAKERS)}{rng.choice(TIME_WORDS)}{rng.choice(VERBS)}，{rng.choice(CLAUSES)}"
    else:
        text = rng.choice(DETAILS)
    if rng.random() < 0.3:
        text = rng.choice(CONNECTIVES) + text
    if rng.random() < 0.25:
        text += f"，涉及{rng.choice(NUMBERS)}个{rng.choice(('国家', '城市', '企业', '项目', '领域'))}"
    return text + "。"


def paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 5)) -> str:
    return "".join(sentence(rng) for _ in range(rng.randint(*sentences)))


def headline(rng: random.Random) -> str:
    """A headline in the site's shapes: `A B`, `A？`, `「quote」 A`."""
    speaker, topic = rng.choice(SPEAKERS), rng.choice(TOPICS)
    shape = rng.random()
    if shape < 0.45:
        return f"{speaker}就{topic}{rng.choice(VERBS)} {rng.choice(CLAUSES)}"
    if shape < 0.7:
        return f"{topic}{rng.choice(HEADLINE_TAILS)}？"
    if shape < 0.85:
        return f"{speaker}：「{rng.choice(CLAUSES)}」"
    return f"{topic} {speaker}{rng.choice(CLAUSES)}"


def fixed_headline(rng: random.Random, title: str) -> str:
    """The headline after a title fix: a different verb, else a precision added; never the same."""
    for verb in VERBS:
        if verb in title:
            other = rng.choice([v for v in VERBS if v != verb])
            return title.replace(verb, other, 1)
    return f"{title.rstrip('？')}（{rng.choice(TIME_WORDS)}更新）"


def update_paragraph(rng: random.Random) -> str:
    return "【更新】" + paragraph(rng, (1, 3))


def correction_note(rng: random.Random) -> str:
    return f"更正：本文较早版本误称{rng.choice(DETAILS)}，特此更正。"


def person(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(FRENCH_NAMES)
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES) + ("" if rng.random() < 0.6 else rng.choice(GIVEN_NAMES))


def slug(title: str) -> str:
    """The URL slug RFI makes of a headline: lower case, punctuation and spaces turned into `-`."""
    return _SLUG_SEPARATORS.sub("-", title.lower()).strip("-")


# Enough of the Simplified → Traditional mapping for the /tw/ alternates of the model's own vocabulary
# (the crawler only records those URLs; unmapped characters stay as they are).
_TRADITIONAL = str.maketrans(
    "国发会经济贸亚东织际书长总统务协议关对问题这为时间说员进与决权机构门业产场价态险应战争军选举闻报导华语电车欧韩罗苏陈许兰远"
    "专栏检索论坛摘要纸来动岛签约稳资气候变谈判乌克兰战中东停火台海湾港区条约疆稀土议会运龙劳业率核监管粮开审涨跌钱银币级"
    "达现实况称领导让计划将继续进一步双边强调呼吁批评回应警告认证宣布指出",
    "國發會經濟貿亞東織際書長總統務協議關對問題這為時間說員進與決權機構門業產場價態險應戰爭軍選舉聞報導華語電車歐韓羅蘇陳許蘭遠"
    "專欄檢索論壇摘要紙來動島簽約穩資氣候變談判烏克蘭戰中東停火台海灣港區條約疆稀土議會運龍勞業率核監管糧開審漲跌錢銀幣級"
    "達現實況稱領導讓計劃將繼續進一步雙邊強調呼籲批評回應警告認證宣佈指出",
)


def traditional(text: str) -> str:
    return text.translate(_TRADITIONAL)
