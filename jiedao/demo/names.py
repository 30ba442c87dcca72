"""Invented names for the demo sub-district. No real person, place or company is meant."""

DISTRICT = ("330199", "青溪区")
OFFICES = [
    ("330199001000", "望湖街道", "青溪区望湖路88号"),
    ("330199002000", "安澜街道", "青溪区安澜大道16号"),
]
COMMUNITY_WORDS = [
    "柳岸",
    "松涛",
    "桂香",
    "青石",
    "梅园",
    "竹溪",
    "荷塘",
    "兰亭",
    "枫林",
    "杏坛",
    "云锦",
    "明珠",
    "锦绣",
    "和畅",
    "新民",
    "东篱",
    "晓风",
    "春晖",
    "清泉",
    "瑞丰",
]
VILLAGE_WORDS = ["沙塘", "石门"]
SECOND_OFFICE_COMMUNITIES = ["澜湾", "澄江"]
DEDICATED = ["育英小学", "青溪第二医院", "望湖公园", "星河中学", "锦程产业园", "湖畔幼儿园"]
ROADS = ["望湖路", "柳岸街", "松涛路", "桂香弄", "青石巷", "梅园路", "竹溪街", "荷塘路", "兰亭路", "枫林大道"]
ESTATES = ["苑", "小区", "家园", "花园", "新村", "公寓"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁欣怡佳琳悦晨睿博文轩"
    "泽瑞楠婷雪慧颖倩"
)

# (name, short name, kind, sector, serves the communities at these 0-based indexes or the whole office)
UNITS_MAIN = [
    ("望湖街道综治中心", "综治中心", "department", "governance", None),
    ("望湖街道党政办公室", "党政办", "department", "general", None),
    ("望湖街道城市管理科", "城管科", "department", "urban", None),
    ("望湖街道应急管理办公室", "应急办", "department", "safety", None),
    ("望湖街道民政科", "民政科", "department", "civil", None),
    ("望湖街道社会保障所", "社保所", "department", "social_security", None),
    ("望湖街道城乡建设科", "建设科", "department", "construction", None),
    ("望湖街道司法所", "司法所", "department", "justice", None),
    ("望湖街道卫生健康办公室", "卫健办", "department", "health", None),
    ("青溪公安分局望湖派出所", "望湖派出所", "external", "police", None),
    ("青溪区市场监管局望湖所", "望湖市场监管所", "external", "market", None),
    ("青溪水务公司望湖营业所", "水务营业所", "external", "water", None),
    ("青溪供电公司望湖供电所", "望湖供电所", "external", "power", None),
    ("青溪燃气公司东片服务站", "燃气服务站", "external", "gas", None),
    ("锦程物业服务有限公司", "锦程物业", "external", "property", [0, 1, 2, 5, 6]),
    ("安居物业管理有限公司", "安居物业", "external", "property", [3, 4, 7, 8, 9]),
]
UNITS_SECOND = [
    ("安澜街道综治中心", "综治中心", "department", "governance", None),
    ("安澜街道城市管理科", "城管科", "department", "urban", None),
    ("青溪公安分局安澜派出所", "安澜派出所", "external", "police", None),
]
