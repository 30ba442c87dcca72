"""Invented texts of the demo's demands, written for the demo: no real message, person or place is meant.

Each Template is one kind of demand: its request type, a category path in the seeded tree (level-1 › 2 › 3
names), the sector of the unit that handles it, where it happens, and texts with slots filled from the demo
world ({community}, {building}, {estate}, {unit_no}, {room}, {road}, {near}, {office}, {when}, {night},
{days}, {who}). The flow texts at the end are what the people in the loop write at each step.
"""

from __future__ import annotations

from dataclasses import dataclass

# Where a demand happens: a residential building, a spot on a road, or nowhere in particular (a question about
# a policy, asked by a resident of a community).
BUILDING, ROAD, HOME = "building", "road", "home"


@dataclass(frozen=True)
class Template:
    key: str
    request_type: str  # a RequestType value
    category: tuple[str, str, str]
    sector: str  # the Sector of the unit that handles it
    where: str
    titles: tuple[str, ...]
    contents: tuple[str, ...]
    results: tuple[str, ...]  # the unit's reply (for a consultation: also the answer given at once)
    hotline: float = 1.0  # weight among the 12345 demands of its type
    grid: float = 1.0  # weight among the grid workers' reports of its type
    urgent: float = 0.0  # share registered as urgent
    complex: float = 0.0  # share registered as complex
    night: bool = False  # mostly reported in the evening or at night
    patrol: bool = False  # a grid worker finds it himself: no resident to call back
    co: str = ""  # the sector of a co-handling unit, when one is sometimes added
    wrong: str = ""  # the sector a dispatcher plausibly sends it to by mistake
    spot: tuple[str, ...] = ()  # what a grid worker writes when he handles it on the spot himself (自处理)


C, H, S, P, R = "consultation", "help", "suggestion", "complaint", "report"
CITY = ("城乡建设", "城市建设和市政管理")
HOUSING = ("城乡建设", "住房保障与房地产")

TEMPLATES: tuple[Template, ...] = (
    # 咨询
    Template(
        "social_card", C, ("劳动和社会保障", "城镇居民社会保险", "其他"), "social_security", HOME,
        ("咨询社保卡挂失补办", "社保卡丢失如何补办"),
        ("居民反映{who}的社保卡{when}不慎遗失，询问如何挂失、补办需要带哪些材料、多久能拿到新卡。",
         "{community}居民询问社保卡损坏后能否换卡，换卡期间看病能否正常结算。"),
        ("已告知：可先在政务服务APP或社保窗口临时挂失，携身份证到{office}便民服务中心社保窗口申请补办，约10个工作日制卡，"
         "期间可用医保电子凭证就医结算。",),
        grid=1.4,
    ),
    Template(
        "pension_flexible", C, ("劳动和社会保障", "城镇职工社会保险", "职工养老保险"), "social_security", HOME,
        ("咨询灵活就业人员养老保险缴费", "咨询养老保险断缴后如何续缴"),
        ("居民反映原单位离职后{days}未缴社保，询问以灵活就业身份续缴养老保险的办理地点和缴费档次。",),
        ("已答复：可携身份证到{office}社保窗口办理灵活就业参保登记，缴费基数可在规定档次内自选，按月或按年缴纳均可。",),
    ),
    Template(
        "medical_insurance", C, ("劳动和社会保障", "城镇居民社会保险", "城镇居民医疗保险"), "social_security", HOME,
        ("咨询城乡居民医保参保缴费", "咨询新生儿医保办理"),
        ("居民询问{who}的城乡居民医保今年的缴费时间、缴费标准和缴费渠道。",
         "居民家中新添孩子，询问新生儿医保何时办理、需要哪些材料。"),
        ("已告知本年度城乡居民医保集中缴费期、个人缴费标准及线上缴费渠道；新生儿可凭出生医学证明和户口簿在出生后三个月内参保。",),
        grid=1.5,
    ),
    Template(
        "elderly_allowance", C, ("民政", "福利慈善", "福利事业"), "civil", HOME,
        ("咨询高龄津贴申领", "咨询养老服务补贴申请条件"),
        ("{community}居民反映家中老人今年满八十周岁，询问高龄津贴如何申请、多久发放。",
         "居民询问家中失能老人能否申请居家养老服务补贴，需要什么评估。"),
        ("已告知：高龄津贴由社区受理、街道民政科审核，次月起按月发放；居家养老服务补贴需先做能力评估，社区可上门协助申请。",),
        grid=1.6,
    ),
    Template(
        "minimum_living", C, ("民政", "社会救助", "城镇低保"), "civil", HOME,
        ("咨询低保申请条件", "咨询低保材料及审核时间"),
        ("居民反映{who}失业后家庭收入很低，询问低保的申请条件、需要的材料和审核要多久。",),
        ("已告知低保申请条件及所需材料（户口簿、身份证、收入和财产情况说明等），由社区受理，街道审核，一般30日内办结。",),
        grid=1.3,
    ),
    Template(
        "disability_subsidy", C, ("民政", "社会救助", "其他"), "civil", HOME,
        ("咨询残疾人两项补贴",),
        ("居民反映{who}刚办理残疾证，询问能否申请困难残疾人生活补贴和重度残疾人护理补贴。",),
        ("已告知两项补贴的申请条件，持残疾证、户口簿到社区提出申请，街道审核后按月发放。",),
    ),
    Template(
        "retiree_check", C, ("劳动和社会保障", "退休政策及待遇", "退休金发放"), "social_security", HOME,
        ("咨询退休人员待遇资格认证",),
        ("居民询问{who}的养老金待遇资格认证如何办理，老人行动不便能否上门认证。",),
        ("已告知可通过政务服务APP刷脸认证；行动不便的由社区工作人员上门协助认证。",),
        grid=1.3,
    ),
    Template(
        "employment", C, ("劳动和社会保障", "就业培训", "就业和再就业"), "social_security", HOME,
        ("咨询失业登记和就业补贴", "咨询职业技能培训报名"),
        ("居民反映{when}失业，询问如何办理失业登记，能否领取失业保险金和参加免费技能培训。",),
        ("已告知失业登记可在{office}社保窗口或线上办理，符合条件的可领取失业保险金，近期技能培训班报名方式已告知。",),
    ),
    Template(
        "residence_permit", C, ("政法", "户籍证件", "流动人口管理"), "police", HOME,
        ("咨询居住证办理",),
        ("外地来{community}租房的居民询问居住证办理需要的材料、办理地点和时限。",),
        ("已告知持身份证、租房合同到辖区派出所或社区流动人口服务站登记，满半年可申领居住证。",),
        grid=0.8,
    ),
    Template(
        "household_register", C, ("政法", "户籍证件", "户籍管理"), "police", HOME,
        ("咨询户口迁入", "咨询新生儿落户"),
        ("居民询问购房后{who}户口迁入{community}需要哪些材料。", "居民询问新生儿落户的材料和办理地点。"),
        ("已告知户口迁入和新生儿落户所需材料，可到辖区派出所户籍窗口办理。",),
        grid=0.6,
    ),
    Template(
        "vaccination", C, ("卫生计生", "公共卫生", "疾病预防控制"), "health", HOME,
        ("咨询儿童疫苗接种", "咨询老年人流感疫苗接种"),
        ("居民询问孩子下一针疫苗在哪里接种、是否需要预约。", "居民询问辖区老人免费接种流感疫苗的时间和地点。"),
        ("已告知辖区社区卫生服务中心的接种门诊时间和预约方式。",),
    ),
    Template(
        "waste_sorting_info", C, (*CITY, "环境卫生"), "urban", BUILDING,
        ("咨询垃圾分类投放时间", "咨询大件垃圾如何处理"),
        ("{estate}居民询问小区垃圾分类定时投放的时间和地点。",
         "{building}居民家中有旧沙发要扔，询问大件垃圾如何预约清运。"),
        ("已告知小区定时定点投放时间和投放点位置；大件垃圾可向物业预约，集中清运。",),
        grid=1.2,
    ),
    Template(
        "renovation_rules", C, ("城乡建设", "住房保障与房地产", "修缮装修"), "property", BUILDING,
        ("咨询装修施工时间规定",),
        ("{building}居民准备装修，询问装修需要到哪里登记、每天允许施工的时间。",),
        ("已告知装修前到物业服务中心登记，工作日施工时间为8:00—12:00、14:00—18:00，节假日不得进行噪声较大的施工。",),
    ),
    Template(
        "charging_pile", C, ("城乡建设", "城市建设和市政管理", "居民服务设施"), "property", BUILDING,
        ("咨询小区安装充电桩",),
        ("{estate}居民在小区有固定车位，询问安装电动汽车充电桩需要办理什么手续。",),
        ("已告知需持车位产权或租赁证明向物业申请，由物业出具同意施工证明后向供电部门报装。",),
    ),
    Template(
        "public_rental", C, ("城乡建设", "住房保障与房地产", "保障性住房"), "construction", HOME,
        ("咨询公共租赁住房申请",),
        ("居民反映家庭住房困难，询问公租房的申请条件、受理时间和需要的材料。",),
        ("已告知公租房申请条件及材料清单，可在社区提交申请，街道初审后报区住房保障部门。",),
    ),
    Template(
        "legal_aid", C, ("政法", "法律服务", "法律援助"), "justice", HOME,
        ("咨询法律援助",),
        ("居民反映与房东因押金产生纠纷，询问能否申请免费法律咨询或法律援助。",
         "居民询问{who}被拖欠劳务费，能否申请法律援助。"),
        ("已告知可到{office}司法所或公共法律服务站免费咨询，符合经济困难标准的可申请法律援助。",),
    ),
    Template(
        "water_notice", C, ("城乡建设", "城市建设和市政管理", "自来水供应"), "water", BUILDING,
        ("咨询小区停水时间",),
        ("{estate}居民看到停水通知，询问具体停水时间和恢复供水时间。",),
        ("已告知本次因管网维修计划停水，预计当日18时前恢复，如有延迟将另行通知。",),
        grid=0.6,
    ),
    Template(
        "power_notice", C, ("城乡建设", "城市建设和市政管理", "电力供应"), "power", BUILDING,
        ("咨询计划停电安排",),
        ("{building}居民询问本周计划停电的时间段和影响范围。",),
        ("已告知计划停电的时间段和范围，供电所将提前在小区公告栏张贴通知。",),
        grid=0.6,
    ),
    Template(
        "gas_inspection", C, ("城乡建设", "城市建设和市政管理", "燃气供应"), "gas", BUILDING,
        ("咨询燃气入户安检",),
        ("{building}{room}居民询问燃气入户安检是否收费、如何辨别安检人员身份。",),
        ("已告知燃气入户安检免费，安检人员持工作证上门，可拨打燃气服务站电话核实身份。",),
    ),
    Template(
        "veteran_card", C, ("民政", "优抚", "其他"), "civil", HOME,
        ("咨询退役军人优待证办理",),
        ("居民询问退役军人优待证的申领方式和可享受的优待项目。",),
        ("已告知可通过社区退役军人服务站申领，优待项目清单已告知。",),
    ),
    Template(
        "food_license", C, ("卫生计生", "食品药品监管", "食品安全"), "market", HOME,
        ("咨询开办小餐饮需要的证照",),
        ("居民准备在{road}开一家小吃店，询问需要办理营业执照和食品经营许可的流程。",),
        ("已告知可在线申办营业执照和食品经营许可（小餐饮登记），并告知场所布局和健康证要求。",),
        grid=0.5,
    ),
    Template(
        "elevator_subsidy", C, ("城乡建设", "城市建设和市政管理", "小区管理"), "construction", BUILDING,
        ("咨询老旧小区加装电梯补助政策",),
        ("{building}居民询问老旧住宅加装电梯的补助标准和需要多少业主同意。",),
        ("已告知加装电梯需本单元业主达到法定同意比例，补助标准和申报流程已告知，社区可协助协调。",),
    ),
    Template(
        "school_zone", C, ("教育文体", "考试招生", "招生录取"), "general", HOME,
        ("咨询小学入学学区划分",),
        ("{community}居民询问孩子明年上小学的学区划分和报名时间。",),
        ("已告知以区教育局当年公布的学区划分为准，报名时间一般在五月，可关注区教育局公告。",),
        grid=0.7,
    ),
    Template(
        "housing_fund", C, ("城乡建设", "住房保障与房地产", "住房公积金"), "general", HOME,
        ("咨询住房公积金提取",),
        ("居民询问租房能否提取住房公积金，每年可以提取多少。",),
        ("已告知租房提取公积金的条件、额度和线上办理渠道。",),
        grid=0.5,
    ),
    # 求助
    Template(
        "street_light", H, (*CITY, "城市公共设施"), "urban", ROAD,
        ("{road}路灯不亮", "路灯损坏求修复"),
        ("{near}有几盏路灯{days}没亮，晚上路面很黑，老人小孩出行不安全，请尽快修复。",),
        ("经现场查看，系线路老化导致，已更换灯具和线路，路灯恢复正常。",),
        grid=1.5, patrol=True, wrong="power",
    ),
    Template(
        "manhole", H, (*CITY, "基础设施"), "urban", ROAD,
        ("{road}井盖缺失", "井盖松动有安全隐患"),
        ("{near}人行道上一处井盖{when}破损松动，踩上去会翻，存在安全隐患。",),
        ("已设置警示围挡，并于当日更换新井盖，现已恢复通行。",),
        grid=1.4, urgent=0.15, patrol=True, wrong="water",
    ),
    Template(
        "stair_light", H, (*HOUSING, "物业服务"), "property", BUILDING,
        ("楼道灯坏了", "楼道感应灯不亮"),
        ("{building}{unit_no}楼道灯坏了{days}，晚上上下楼看不见，请物业尽快修理。",),
        ("物业已更换{unit_no}楼道感应灯，经试用正常。",),
        wrong="urban",
    ),
    Template(
        "elevator", H, ("商贸旅游", "质监检验检疫", "特种设备管理"), "property", BUILDING,
        ("电梯故障停运", "电梯经常出故障"),
        ("{building}{unit_no}电梯{when}停运，楼里老人多，上下楼困难，请尽快修复。",
         "{building}电梯近期多次停梯、运行有异响，居民担心安全。"),
        ("物业已联系维保单位检修，更换故障部件，电梯恢复运行，并加强日常巡检。",),
        urgent=0.2, wrong="construction",
    ),
    Template(
        "pipe_burst", H, (*CITY, "自来水供应"), "water", ROAD,
        ("自来水管爆裂", "{road}路面冒水"),
        ("{near}地下水管{when}爆裂，路面大量冒水，请尽快抢修。",),
        ("水务营业所已组织抢修，更换破损管段，供水恢复正常，路面已清理。",),
        urgent=0.3, patrol=True, wrong="urban",
    ),
    Template(
        "ceiling_leak", H, (*HOUSING, "修缮装修"), "property", BUILDING,
        ("楼上漏水到楼下", "卫生间天花板渗水"),
        ("{building}{room}居民反映楼上住户卫生间渗水，天花板已经发霉，与楼上沟通无果，请求协调。",),
        ("物业已上门查看，确认为楼上防水层老化，已协调楼上住户重新做防水，渗水已停止。",),
        grid=0.8, wrong="water",
    ),
    Template(
        "sewer", H, (*CITY, "基础设施"), "property", BUILDING,
        ("下水道堵塞返水", "污水管堵塞"),
        ("{building}{unit_no}一楼下水道堵塞，污水返到屋里，请尽快疏通。",),
        ("物业已安排疏通下水主管，排水恢复正常，并对一楼住户进行了清理消毒。",),
        wrong="urban",
    ),
    Template(
        "water_cut", H, (*CITY, "自来水供应"), "water", BUILDING,
        ("小区突然停水", "停水没有提前通知"),
        ("{estate}从{when}开始停水，事先没有看到通知，家里老人做饭都困难。",),
        ("经核实为管网突发故障，已抢修完毕恢复供水，今后计划停水将提前公告。",),
        grid=0.7, urgent=0.1,
    ),
    Template(
        "power_cut", H, (*CITY, "电力供应"), "power", BUILDING,
        ("小区停电", "单元频繁跳闸停电"),
        ("{building}{unit_no}{when}突然停电，请尽快查明原因恢复供电。",),
        ("供电所已派员抢修，系单元配电箱故障，已更换部件恢复供电。",),
        grid=0.7, urgent=0.1,
    ),
    Template(
        "gas_smell", H, (*CITY, "燃气供应"), "gas", BUILDING,
        ("楼道有燃气异味",),
        ("{building}{unit_no}楼道内有明显燃气味，居民担心漏气，请尽快派人检查。",),
        ("燃气服务站已上门检测，系管道接口松动，已紧固处理，复测无泄漏。",),
        grid=0.8, urgent=0.6,
    ),
    Template(
        "lonely_elder", H, ("民政", "社会服务", "其他"), "civil", HOME,
        ("独居老人需要帮助", "高龄老人求助送餐服务"),
        ("{community}一位独居老人行动不便，子女在外地，希望社区帮忙解决日常买菜送餐问题。",),
        ("民政科已会同社区将老人纳入助餐服务和定期探访名单，志愿者每周上门两次。",),
        grid=1.8,
    ),
    Template(
        "temporary_relief", H, ("民政", "社会救助", "其他"), "civil", HOME,
        ("家庭困难申请临时救助",),
        ("居民反映{who}突发重病，医疗费用负担很重，家庭生活困难，请求临时救助。",),
        ("已指导申请临时救助并协助准备材料，经审核已发放临时救助金，并告知医疗救助政策。",),
        grid=1.2, complex=0.1,
    ),
    Template(
        "unpaid_wages", H, ("劳动和社会保障", "工资福利", "工资发放"), "social_security", HOME,
        ("被拖欠工资求助",),
        ("居民反映在{road}一家餐馆打工{days}，老板拖欠两个月工资不发，请求帮助追讨。",),
        ("社保所劳动保障监察已约谈店主，店主承诺并已结清所欠工资。",),
        grid=0.5, complex=0.15,
    ),
    Template(
        "homeless", H, ("民政", "社会服务", "生活无着人员救助"), "civil", ROAD,
        ("路边有流浪人员",),
        ("{near}有一名流浪人员，天气转冷，担心其身体状况，请相关部门救助。",),
        ("已会同派出所和救助站将其护送至救助站，提供食宿并联系其家属。",),
        grid=0.6, patrol=True,
    ),
    Template(
        "tree_branch", H, (*CITY, "园林绿化"), "urban", ROAD,
        ("树枝遮挡路灯和窗户", "行道树断枝有危险"),
        ("{near}行道树枝叶过长，遮挡路灯和居民窗户，大风天有断枝危险。",),
        ("城管科已安排绿化养护单位修剪，断枝已清理。",),
        grid=1.3, patrol=True,
        spot=("断落树枝已当场清至路边并联系环卫收运，过长枝叶另报绿化养护单位修剪。",),
    ),
    Template(
        "fire_lane", H, ("政法", "社会治安", "消防安全"), "safety", BUILDING,
        ("消防通道被占用",),
        ("{estate}消防通道长期停放车辆和堆放杂物，一旦发生火情消防车进不来。",),
        ("应急办会同物业清理了消防通道杂物，通知车主挪车，并施划禁停标线。",),
        grid=1.2, patrol=True, wrong="property",
        spot=("已联系物业清理消防通道内杂物，电话通知车主将车辆挪出，现通道已畅通。",
              "现场劝导车主挪车，会同保安清走堆放物品，消防通道恢复畅通。"),
    ),
    Template(
        "neighbour_dispute", H, ("政法", "仲裁与调解", "司法调解"), "justice", BUILDING,
        ("邻里纠纷请求调解",),
        ("{building}两户邻居因公共走道堆放物品多次争吵，请求社区和司法所出面调解。",),
        ("司法所会同社区组织双方调解，双方达成协议，走道物品已清理。",),
        grid=1.4,
    ),
    Template(
        "pothole", H, ("交通运输", "建设管理", "设施维护"), "construction", ROAD,
        ("{road}路面坑洼", "人行道砖破损"),
        ("{near}路面出现多处坑洼，下雨积水，电动车经过容易摔倒。",),
        ("已安排养护单位修补路面坑洼，现已平整。",),
        grid=1.3, patrol=True, wrong="urban",
    ),
    Template(
        "fitness_equipment", H, ("教育文体", "体育", "其他"), "construction", BUILDING,
        ("小区健身器材损坏",),
        ("{estate}健身广场有两台健身器材损坏，螺丝松脱，担心锻炼的老人受伤。",),
        ("已拆除损坏器材并更换新器材。",),
        patrol=True,
    ),
    # 建议
    Template(
        "more_bins", S, (*CITY, "环境卫生"), "urban", BUILDING,
        ("建议增设垃圾分类投放点",),
        ("{estate}只有一个垃圾投放点，离后排楼栋太远，建议在后门附近增设一处。",),
        ("已收悉，经现场踏勘，将在小区后门增设一处分类投放点，预计本月内完成。",),
        grid=1.3,
    ),
    Template(
        "bike_shed", S, (*CITY, "居民服务设施"), "property", BUILDING,
        ("建议增设电动自行车充电车棚",),
        ("{estate}电动自行车多，充电不方便，有居民在楼道充电，建议物业增设集中充电车棚。",),
        ("物业已将增设充电车棚纳入计划，选址方案将在小区公示征求意见。",),
        grid=1.3,
    ),
    Template(
        "bus_route", S, (*CITY, "公共汽车"), "construction", ROAD,
        ("建议增设公交站点", "建议优化公交线路"),
        ("{near}居民出行要走很远才能坐上公交，建议增设站点或调整线路。",),
        ("已将建议转交区交通运输部门研究，待客流调查后统筹考虑。",),
        grid=0.6,
    ),
    Template(
        "more_lights", S, (*CITY, "城市公共设施"), "urban", ROAD,
        ("建议增设路灯",),
        ("{near}一段小路没有路灯，晚上很黑，建议增设路灯。",),
        ("已纳入年度照明设施完善计划，将于下季度实施。",),
    ),
    Template(
        "benches", S, (*CITY, "小区管理"), "property", BUILDING,
        ("建议小区增设休闲座椅",),
        ("{estate}老人多，小区里没有休息的地方，建议在绿地旁增设几组座椅。",),
        ("物业已采购座椅，将在绿地旁安装。",),
        grid=1.2,
    ),
    Template(
        "add_elevator", S, (*CITY, "小区管理"), "construction", BUILDING,
        ("建议老旧小区加装电梯",),
        ("{building}是老旧住宅，楼里老人上下楼困难，建议推动加装电梯。",),
        ("已告知加装电梯政策，社区将组织本单元业主协商。",),
    ),
    Template(
        "elder_canteen", S, ("民政", "福利慈善", "福利事业"), "civil", HOME,
        ("建议开设社区老年食堂",),
        ("{community}老年人多，建议开设老年食堂，方便老人就近用餐。",),
        ("已收悉，民政科正在结合养老服务设施布局研究选址。",),
        grid=1.3,
    ),
    Template(
        "school_traffic", S, ("政法", "交通管理", "交通安全管理"), "police", ROAD,
        ("建议学校门口高峰期交通疏导",),
        ("{near}上下学高峰期接送车辆多，交通拥堵，建议增派警力疏导。",),
        ("派出所已协调交警在上下学高峰期安排警力疏导，并增设护学岗。",),
    ),
    Template(
        "speed_bump", S, ("政法", "交通管理", "交通安全管理"), "urban", ROAD,
        ("建议增设减速带",),
        ("{near}车辆车速快，附近有学校和小区出入口，建议增设减速带和警示标志。",),
        ("已会同交警部门现场查看，将增设减速带和警示标志。",),
        grid=0.8,
    ),
    Template(
        "park_hours", S, (*CITY, "公园管理"), "urban", ROAD,
        ("建议公园增设公厕",),
        ("{near}的街心公园没有公共厕所，晨练的老人很不方便，建议增设。",),
        ("已将增设公厕纳入城市公共设施补短板计划。",),
        grid=0.6,
    ),
    Template(
        "culture", S, ("教育文体", "文化", "公共文化"), "general", HOME,
        ("建议社区多组织文体活动",),
        ("{community}居民建议多组织一些适合老年人和孩子的文体活动，丰富业余生活。",),
        ("已收悉，将结合社区文化家园活动安排，增加亲子和老年文体活动场次。",),
        grid=1.5,
    ),
    # 投诉
    Template(
        "construction_noise", P, ("环境保护", "环境污染", "噪音污染"), "urban", ROAD,
        ("夜间施工噪音扰民",),
        ("{near}工地{night}仍在施工，噪音很大，严重影响附近居民休息。",),
        ("城管科已到现场责令工地停止夜间施工，并告知其夜间施工须办理许可。",),
        grid=0.3, night=True, wrong="construction",
    ),
    Template(
        "square_dance", P, ("环境保护", "环境污染", "噪音污染"), "police", ROAD,
        ("广场舞音响声音太大",),
        ("{near}小广场每天{night}有人跳广场舞，音响声音很大，影响居民休息和孩子学习。",),
        ("派出所会同社区与舞队负责人沟通，约定活动时间和音量，已安装噪声监测提示牌。",),
        grid=0.4, night=True, wrong="urban",
    ),
    Template(
        "neighbour_noise", P, ("政法", "社会治安", "治安案件"), "police", BUILDING,
        ("邻居夜间噪音扰民",),
        ("{building}{room}楼上住户{night}经常发出很大的噪音，多次沟通无果。",),
        ("派出所民警已上门对噪音住户进行劝导，对方表示今后注意。",),
        grid=0.2, night=True,
    ),
    Template(
        "street_vendor", P, (*CITY, "城管执法"), "urban", ROAD,
        ("占道经营", "流动摊贩占用人行道"),
        ("{near}有摊贩长期占用人行道经营，行人只能走机动车道，存在安全隐患。",),
        ("城管科已对占道经营进行劝离整治，并纳入日常巡查。",),
        grid=1.5, patrol=True, co="market", wrong="market",
        spot=("现场劝导摊贩退回店内经营，人行道已恢复通行。", "已劝离占道摊贩，并告知附近便民疏导点位置。"),
    ),
    Template(
        "kitchen_fumes", P, ("环境保护", "环境污染", "大气污染"), "urban", ROAD,
        ("餐馆油烟扰民",),
        ("{near}一家餐馆油烟直排，楼上住户无法开窗，投诉多次仍未改善。",),
        ("城管科已责令该餐馆清洗并加装油烟净化设施，复查已达标排放。",),
        co="market", wrong="market",
    ),
    Template(
        "blocked_parking", P, (*CITY, "小区管理"), "property", BUILDING,
        ("小区乱停车堵塞通道",),
        ("{estate}内车辆乱停乱放，堵塞主干道，早上车子开不出去。",),
        ("物业已对乱停车辆张贴告知单，增设禁停标识并加强巡查。",),
        grid=0.8, wrong="police",
    ),
    Template(
        "garbage_late", P, (*CITY, "环境卫生"), "urban", BUILDING,
        ("垃圾清运不及时",),
        ("{estate}垃圾桶满了{days}没人清运，气味很大，招蚊蝇。",),
        ("已督促环卫单位增加清运频次，现已清理完毕。",),
        grid=1.2, patrol=True, wrong="property",
    ),
    Template(
        "property_service", P, (*HOUSING, "物业服务"), "construction", BUILDING,
        ("投诉物业服务差",),
        ("{estate}物业收费后服务不到位，绿化无人修剪，楼道卫生差，业主意见很大。",),
        ("建设科已约谈物业公司，督促其落实保洁和绿化养护，社区将定期检查。",),
        grid=0.5, wrong="property",
    ),
    Template(
        "short_weight", P, ("商贸旅游", "市场监管", "物价监督"), "market", ROAD,
        ("商家短斤缺两", "商家价格不明码标价"),
        ("{near}一家水果店称重短斤缺两，且商品没有明码标价。",),
        ("市场监管所已现场检查，责令整改并对计量器具进行检定。",),
        grid=0.3,
    ),
    Template(
        "flying_wire", P, ("政法", "社会治安", "消防安全"), "safety", BUILDING,
        ("楼道飞线充电", "电动车进楼道充电"),
        ("{building}有住户从窗户拉电线给楼下电动车充电，存在火灾隐患。",),
        ("应急办会同社区上门劝导，已拆除飞线，引导到集中充电点充电。",),
        grid=1.5, patrol=True,
        spot=("已上门劝导住户收回充电线，告知附近集中充电桩位置，住户表示不再飞线充电。",),
    ),
    Template(
        "dog_leash", P, ("政法", "社会治安", "其他"), "police", BUILDING,
        ("小区遛狗不拴绳",),
        ("{estate}有居民遛狗不拴绳，大型犬在小区乱跑，孩子和老人很害怕。",),
        ("派出所会同物业开展文明养犬宣传，对不拴绳的养犬人进行劝导教育。",),
        grid=0.6,
    ),
    # 举报
    Template(
        "illegal_building", R, ("城乡建设", "城乡规划", "违章建筑"), "urban", BUILDING,
        ("举报违章搭建", "举报楼顶私搭乱建"),
        ("{building}有住户在楼顶私自搭建彩钢房，影响楼栋安全和其他住户采光。",
         "{building}一楼住户私自扩建院子围墙，占用公共绿地。"),
        ("城管科已现场核查，下达限期拆除通知书，违建已自行拆除。",),
        grid=1.5, complex=0.2, patrol=True,
    ),
    Template(
        "group_rental", R, (*HOUSING, "房屋租赁"), "police", BUILDING,
        ("举报群租房",),
        ("{building}{room}被隔成多个小间出租，住了十多个人，进出人员复杂，存在安全隐患。",),
        ("派出所会同社区已上门检查，责令房东拆除隔断、整改消防隐患，并登记租住人员。",),
        grid=0.8, wrong="construction",
    ),
    Template(
        "unlicensed_food", R, ("卫生计生", "食品药品监管", "食品安全"), "market", ROAD,
        ("举报无证经营食品",),
        ("{near}有一家小作坊无证生产加工熟食，卫生条件很差。",),
        ("市场监管所已现场检查，依法责令停止经营，相关物品已暂扣。",),
        grid=0.5,
    ),
    Template(
        "illegal_clinic", R, ("卫生计生", "医政监管", "非法行医"), "health", ROAD,
        ("举报非法行医",),
        ("{near}一处民房内有人无证行医，给老人打针输液。",),
        ("卫健办会同区卫生监督所检查，已依法取缔。",),
        grid=0.3,
    ),
    Template(
        "stair_clutter", R, ("政法", "社会治安", "消防安全"), "safety", BUILDING,
        ("举报楼道堆放杂物",),
        ("{building}{unit_no}楼道长期堆放纸箱和旧家具，堵塞疏散通道。",),
        ("应急办会同物业已清理楼道杂物，并张贴消防安全提示。",),
        grid=1.6, patrol=True, wrong="property",
        spot=("已联系住户将楼道纸箱和旧家具搬回家中，其余无主杂物会同保洁当场清走，疏散通道已畅通。",
              "现场告知住户楼道堆物的消防隐患，住户已自行清理，张贴了消防安全提示。"),
    ),
    Template(
        "small_ads", R, (*CITY, "城管执法"), "urban", BUILDING,
        ("举报乱贴小广告",),
        ("{estate}楼道和单元门上贴满了小广告，清理后很快又贴上。",),
        ("城管科已组织清理，并对小广告上的号码依法处置。",),
        grid=1.2, patrol=True,
        spot=("已会同楼道保洁当场铲除单元门和楼道内的小广告。", "现场清理小广告二十余张，已提醒物业加强单元门管理。"),
    ),
    Template(
        "muck_truck", R, (*CITY, "环境卫生"), "urban", ROAD,
        ("举报渣土车抛洒",),
        ("{near}渣土车{night}经过时沿路抛洒泥土，路面很脏，扬尘严重。",),
        ("城管科已约谈运输企业，对抛洒路面进行清扫，并加强夜间巡查。",),
        grid=0.3, night=True,
    ),
)  # fmt: skip

# Slot values that are not read from the places.
WHO = ("本人", "家中老人", "父亲", "母亲", "爱人", "孩子")
WHEN = ("今天上午", "今天早上", "昨天晚上", "这两天", "前几天", "最近一周")
NIGHT = ("晚上十点以后", "夜里十一点多", "凌晨一两点", "晚上九点到十二点", "每天晚上")
DAYS = ("两天", "三天", "一周", "十来天", "半个多月")

# What the people in the loop write at each step.
CONTACT_NOTES = (
    "已电话联系诉求人，了解具体情况，约定上门时间。",
    "已与诉求人取得联系，告知办理进度。",
    "已联系诉求人，说明将尽快安排人员到现场处理。",
)
RETURN_NOTES = {
    "wrong_duty": ("该事项不属于本单位职责范围，请重新派单。", "经核实属其他单位管理事项，申请退回。"),
    "wrong_place": ("诉求地点不在本单位服务范围内，申请退回。",),
    "unclear_ownership": ("设施权属不清，需先明确管理主体，申请退回。",),
}
REFUSE_NOTES = ("经核实属贵单位职责范围，请按期办理。", "权属已查明，请签收办理。")
EXTENSION_REASONS = (
    "需采购配件，无法在时限内完成。",
    "涉及多户居民协调，需延长办理时间。",
    "需等待天气转好后施工。",
    "需会同其他部门联合处置。",
)
SUSPEND_REASONS = (
    "等待诉求人提供相关材料。",
    "诉求人外出，暂时无法上门核实。",
    "涉及产权单位确认，等待书面答复。",
)
RESUME_NOTES = ("材料已提供，恢复办理。", "已与诉求人约定上门时间，恢复办理。", "产权单位已答复，恢复办理。")
SUPERVISION_CONTENTS = ("请加快办理进度，按期办结。", "群众反映强烈，请于期限内书面回复办理情况。")
SUPERVISION_REPLIES = ("已加派人员处理，将于期限内办结。", "已制定处置方案，正在落实中。")
SPOT_CHECK_NOTES = ("社区已到现场查看，问题已处理到位。",)
VERIFY_FAIL_NOTES = ("现场核查问题仍未解决，请重新办理。", "办理结果与诉求不符，请补充处理。")
REWORK_RESULTS = ("已重新组织处理，问题现已解决，诉求人已确认。", "已补充处理并再次上门核实，问题已解决。")
CALLBACK_NOTES = {
    "satisfied": ("诉求人表示问题已解决，满意。", "诉求人对办理结果满意。", ""),
    "basically": ("诉求人表示基本解决，希望加强日常管理。", "诉求人基本满意，认为处理速度可以更快。"),
    "dissatisfied": ("诉求人表示问题未彻底解决，不满意。", "诉求人对处理结果不满意。"),
}
REJECT_NOTES = {
    "litigation": "诉求事项已进入诉讼程序，依法不予受理，已告知诉求人。",
    "petition": "诉求事项正在信访程序办理中，不重复受理。",
    "emergency": "属紧急警情，已告知诉求人立即拨打110。",
    "outside_duty": "诉求事项不属于本街道职责范围，已告知诉求人向相关部门反映。",
    "insufficient": "诉求人无法提供具体地点和情况，无法办理，已告知补充后再反映。",
}
VOID_NOTES = ("重复录入，作废。", "信息录入错误，已重新登记。")
MERGE_NOTES = ("同一问题重复反映，并入主工单办理。",)
EXCLUSION_REASONS = ("诉求人要求明显超出政策规定，诉求不合理，申请不纳入考核。",)
PARK_REASONS = ("历史遗留问题，涉及多方权属，暂无法解决，纳入问题库。",)
UNPARK_NOTES = ("具备解决条件，重新派单办理。",)
ESCALATE_NOTES = ("问题复杂，需上级协调，呈报。",)
