"""Every text of the checklist library in its three languages, each in its own script.

The library carries zh-Hans (the default), zh-Hant (Taiwan wording) and en on every text:
titles, descriptions, section titles, items' text, guidance and fix, choice and scale labels,
units and band labels. No converter (OpenCC and the like) is installed or locked, so the
script check uses a curated table of the common characters that differ between the two
scripts: a Simplified-only character in zh-Hant text, or a Traditional-only one in zh-Hans
text, is a copy-paste slip the other script's readers see at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from audit import library
from audit.model import Checklist

LANGUAGES = ("zh-Hans", "zh-Hant", "en")

# Pairs of (Simplified, Traditional) characters. Only characters that one script never uses
# are listed: 后/後, 里/裡, 台/臺, 干/乾, 只/隻, 于/於, 面/麵 and the like are left out,
# because the Traditional script uses 后, 里, 台, 干, 只, 于 and 面 too, in other words.
PAIRS = (
    "这這们們个個时時务務门門员員问問应應对對发發图圖书書记記说說请請还還经經进進过過让讓给給谁誰间間"
    "买買卖賣车車东東长長开開关關见見现現电電话話题題处處产產占佔与與专專业業丝絲两兩严嚴临臨为為丽麗"
    "举舉么麼义義乐樂习習乡鄉乱亂争爭亏虧亚亞亲親亿億仅僅从從仓倉仪儀价價众眾优優会會伞傘伟偉传傳伤傷"
    "体體侧側债債倾傾偿償储儲儿兒兰蘭兴興养養兽獸内內册冊写寫军軍农農决決况況冻凍净淨凉涼减減凭憑击擊"
    "刘劉则則刚剛创創删刪别別剂劑剑劍剧劇劝勸办辦动動励勵劲勁劳勞势勢区區医醫华華协協单單卢盧卫衛却卻"
    "厂廠厅廳历歷压壓厌厭厕廁厨廚县縣参參双雙变變叙敘叠疊号號叹嘆吓嚇吗嗎启啟吴吳响響唤喚喷噴嘱囑团團"
    "园園围圍圆圓圣聖场場坏壞块塊坚堅坛壇坟墳垫墊执執扩擴扫掃扬揚扰擾抚撫抢搶护護报報担擔拟擬拥擁拦攔"
    "拨撥择擇挂掛挡擋挤擠挥揮损損换換据據摄攝摆擺摇搖携攜数數断斷无無旧舊显顯晓曉晕暈暂暫术術机機杀殺"
    "杂雜权權条條来來杨楊极極构構枪槍柜櫃标標栏欄树樹样樣桥橋档檔梦夢检檢楼樓欢歡欧歐残殘毁毀毕畢气氣"
    "汇匯汉漢汤湯沟溝没沒泪淚泼潑洁潔浅淺测測济濟浓濃涛濤润潤涨漲渐漸温溫湾灣湿濕满滿滚滾滞滯滤濾灭滅"
    "灯燈灵靈灾災炉爐点點炼煉烂爛烟煙烦煩烧燒热熱爱愛爷爺牵牽犹猶独獨猪豬献獻环環画畫畅暢疗療疯瘋痒癢"
    "盐鹽监監盖蓋盘盤码碼砖磚础礎确確碍礙礼禮祸禍离離种種积積称稱稳穩穷窮窃竊竞競笔筆筑築签簽简簡类類"
    "粮糧紧緊纠糾红紅纤纖约約级級纪紀纯純纳納纸紙线線练練组組细細织織终終绍紹绑綁结結绕繞绘繪络絡绝絕"
    "统統继繼绩績续續维維综綜绿綠缓緩编編缘緣缩縮缴繳网網罗羅罚罰职職联聯肃肅肠腸肤膚肿腫胀脹胜勝脑腦"
    "脚腳脱脫舰艦艺藝节節苏蘇药藥获獲营營蓝藍虑慮虽雖虾蝦补補衬襯袜襪装裝观觀规規视視览覽觉覺触觸计計"
    "订訂认認讨討训訓议議讯訊讲講许許论論设設访訪证證评評识識诉訴词詞译譯试試诗詩诚誠询詢该該详詳语語"
    "误誤诸諸读讀课課调調谈談谢謝谨謹贝貝负負贡貢财財责責账賬货貨质質购購贯貫贴貼贵貴费費贺賀资資赔賠"
    "赛賽赞讚赶趕趋趨跃躍践踐轨軌转轉轮輪软軟轻輕载載较較辅輔辆輛输輸辩辯边邊达達迁遷运運远遠违違连連"
    "迟遲选選递遞遗遺邮郵邻鄰酱醬释釋鉴鑑针針钟鐘钢鋼钥鑰钱錢铁鐵铃鈴银銀铺鋪链鏈销銷锁鎖锅鍋错錯键鍵"
    "镜鏡闭閉闲閒闹鬧闻聞阅閱队隊阳陽阴陰阶階际際陆陸陈陳险險随隨隐隱难難雾霧静靜页頁顶頂项項顺順须須"
    "顾顧顿頓预預领領频頻颜顏额額风風飞飛饭飯饮飲饰飾饱飽馆館驾駕验驗骗騙鱼魚鸡雞鸟鳥麦麥黄黃齐齊齿齒"
    "龙龍龄齡尽盡层層岁歲帮幫带帶广廣庆慶库庫废廢张張弹彈当當录錄彻徹忆憶态態总總恶惡惊驚惯慣户戶战戰"
    "戏戲师師帅帥归歸"
)
TO_TRADITIONAL = {PAIRS[i]: PAIRS[i + 1] for i in range(0, len(PAIRS), 2)}
SIMPLIFIED_ONLY = frozenset(TO_TRADITIONAL)
# Traditional characters Simplified never uses, beyond the pairs' (their Simplified forms
# are shared with the Traditional script: 周/週, 里/裡, 后/後, 发/髮, 面/麵, 松/鬆, 台/臺).
TRADITIONAL_ONLY = frozenset(TO_TRADITIONAL.values()) | frozenset("週裡後髮麵鬆臺")

# Mainland words with a different Taiwan word, written in Traditional characters: a zh-Hant
# text that uses them reads as converted, not written, for a reader in Taipei.
MAINLAND_WORDS = {
    "視頻": "影片", "軟件": "軟體", "信息": "資訊", "網絡": "網路", "打印": "列印", "短信": "簡訊",
    "屏幕": "螢幕", "出租車": "計程車", "激光": "雷射", "默認": "預設", "質量": "品質", "鼠標": "滑鼠",
    "二維碼": "QR 碼", "服務員": "服務生", "賬號": "帳號", "優化": "最佳化", "酒店": "飯店",
}

CHECKLISTS = library.load(library.CHECKLISTS)


def texts(checklist: Checklist) -> Iterator[tuple[str, dict[str, str]]]:
    """Every text of a checklist, each with where it is (for the failure message)."""
    yield "title", checklist.title
    if checklist.description is not None:
        yield "description", checklist.description
    for band in checklist.bands:
        yield f"band {band.id}", band.label
    for stage in checklist.stages:
        for section in stage.sections:
            yield f"section {section.id}", section.title
            for item in section.items:
                where = f"item {item.id}"
                yield f"{where} text", item.text
                yield f"{where} guidance", item.guidance
                yield f"{where} fix", item.fix
                if item.unit is not None:
                    yield f"{where} unit", item.unit
                for choice in item.choices:
                    yield f"{where} choice {choice.id}", choice.label
                for value, label in item.labels.items():
                    yield f"{where} label {value}", label


def test_the_table_is_consistent() -> None:
    assert len(PAIRS) % 2 == 0
    assert not SIMPLIFIED_ONLY & TRADITIONAL_ONLY
    assert len(TO_TRADITIONAL) == len(PAIRS) // 2, "a Simplified character is listed twice"


@pytest.mark.parametrize("checklist", CHECKLISTS, ids=lambda c: c.id)
def test_every_text_in_every_language(checklist: Checklist) -> None:
    assert set(checklist.languages) >= set(LANGUAGES)
    missing = [
        f"{where}: {language}"
        for where, text in texts(checklist)
        for language in LANGUAGES
        if not (text.get(language) or "").strip()
    ]
    assert not missing, f"{checklist.id}: texts without a language:\n" + "\n".join(missing)


def _slips(checklist: Checklist) -> list[str]:
    found: list[str] = []
    for where, text in texts(checklist):
        hant, hans = text.get("zh-Hant", ""), text.get("zh-Hans", "")
        simplified = sorted(set(hant) & SIMPLIFIED_ONLY)
        if simplified:
            found.append(f"{where} (zh-Hant) has Simplified {''.join(simplified)}: write {''.join(TO_TRADITIONAL[c] for c in simplified)}")
        traditional = sorted(set(hans) & TRADITIONAL_ONLY)
        if traditional:
            found.append(f"{where} (zh-Hans) has Traditional {''.join(traditional)}")
        words = [f"{word} (Taiwan: {taiwan})" for word, taiwan in MAINLAND_WORDS.items() if word in hant]
        if words:
            found.append(f"{where} (zh-Hant) uses mainland words: {', '.join(words)}")
    return found


@pytest.mark.parametrize("checklist", CHECKLISTS, ids=lambda c: c.id)
def test_each_chinese_text_in_its_own_script(checklist: Checklist) -> None:
    slips = _slips(checklist)
    assert not slips, f"{checklist.id}:\n" + "\n".join(slips)


def test_the_script_check_finds_a_slip() -> None:
    """The check itself: a checklist with one Simplified character in its zh-Hant text fails."""
    checklist = CHECKLISTS[0]
    item = checklist.items()[0]
    broken: dict[str, Any] = {**item.text, "zh-Hant": item.text["zh-Hant"] + "这", "zh-Hans": item.text["zh-Hans"] + "後"}
    section = checklist.stages[0].sections[0]
    stage = replace(checklist.stages[0], sections=(replace(section, items=(replace(item, text=broken), *section.items[1:])), *checklist.stages[0].sections[1:]))
    slips = _slips(replace(checklist, stages=(stage, *checklist.stages[1:])))
    assert any("Simplified 这: write 這" in slip for slip in slips)
    assert any("Traditional 後" in slip for slip in slips)
