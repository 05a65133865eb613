package demo

// Names, catalog and complaint texts of the demo business: a retailer selling
// in Bangladesh (BDT) and Nepal (NPR), its staff working in Bengali, Nepali
// and English.

var bdFirst = []string{"Rahim", "Karim", "Ayesha", "Nusrat", "Tanvir", "Farhana", "Sabbir", "Mahmud", "Sharmin", "Rafiq",
	"Jannat", "Imran", "Sadia", "Arif", "Mitu", "Hasan", "Tania", "Rakib", "Shirin", "Sohel"}
var bdLast = []string{"Uddin", "Rahman", "Hossain", "Akter", "Islam", "Ahmed", "Chowdhury", "Begum", "Sarkar", "Khan"}
var bdNative = []string{"রহিম উদ্দিন", "আয়েশা রহমান", "তানভীর হাসান", "নুসরাত জাহান", "সাব্বির আহমেদ", "ফারহানা আক্তার"}
var npFirst = []string{"Sita", "Ram", "Bikash", "Anjali", "Ramesh", "Sunita", "Prakash", "Gita", "Suman", "Manisha",
	"Rajesh", "Kabita", "Dipak", "Sarita", "Nabin", "Puja"}
var npLast = []string{"Shrestha", "Gurung", "Thapa", "Karki", "Adhikari", "Tamang", "Rai", "Magar", "Sharma", "Poudel"}
var npNative = []string{"सीता श्रेष्ठ", "विकास गुरुङ", "अञ्जली थापा", "रमेश कार्की", "सुनिता अधिकारी"}

type staffSeed struct {
	id, name, role, team, locale string
}

var staffSeeds = []staffSeed{
	{"st-ayesha", "Ayesha Rahman", "manager", "Dhaka Sales", "bn"},
	{"st-tanvir", "Tanvir Hasan", "agent", "Dhaka Sales", "bn"},
	{"st-nusrat", "Nusrat Jahan", "agent", "Dhaka Sales", "en"},
	{"st-sita", "Sita Shrestha", "manager", "Kathmandu Sales", "ne"},
	{"st-bikash", "Bikash Gurung", "agent", "Kathmandu Sales", "ne"},
	{"st-anjali", "Anjali Thapa", "agent", "Kathmandu Sales", "en"},
	{"st-farhana", "Farhana Akter", "agent", "Support", "bn"},
	{"st-ramesh", "Ramesh Karki", "agent", "Support", "ne"},
	{"st-rubel", "Rubel Mia (delivery)", "representative", "Delivery", "bn"},
	{"st-suman", "Suman Rai (delivery)", "representative", "Delivery", "ne"},
	{"st-mitu", "Mitu Begum (Gulshan shop)", "representative", "Stores", "bn"},
}

type product struct {
	sku, name, category string
	price               int64 // BDT minor units; NPR is ×1.1
}

// Categories and the category often bought with each (co-purchases).
var companion = map[string]string{
	"tea": "snacks", "snacks": "tea", "rice": "lentils", "lentils": "spices", "spices": "rice",
	"personal-care": "household", "household": "personal-care", "clothing": "clothing", "kitchen": "rice",
}

var catalog = []product{
	{"tea-sylhet-500", "Sylhet tea 500g", "tea", 45000}, {"tea-ilam-250", "Ilam tea 250g", "tea", 38000},
	{"coffee-instant", "Instant coffee 200g", "tea", 65000},
	{"snk-chanachur", "Chanachur 350g", "snacks", 9000}, {"snk-biscuit", "Butter biscuits", "snacks", 6000},
	{"rice-miniket-5", "Miniket rice 5kg", "rice", 42000}, {"rice-basmati-1", "Basmati rice 1kg", "rice", 18000},
	{"dal-masoor-1", "Masoor dal 1kg", "lentils", 13500}, {"dal-mung-1", "Mung dal 1kg", "lentils", 15000},
	{"spc-turmeric", "Turmeric 200g", "spices", 8000}, {"spc-garam", "Garam masala 100g", "spices", 9500},
	{"pc-soap", "Neem soap", "personal-care", 5500}, {"pc-shampoo", "Herbal shampoo", "personal-care", 32000},
	{"pc-coconut-oil", "Coconut oil 500ml", "personal-care", 24000},
	{"hh-detergent", "Detergent 1kg", "household", 19000}, {"hh-dishwash", "Dishwash liquid", "household", 12000},
	{"cl-saree", "Cotton saree", "clothing", 250000}, {"cl-panjabi", "Panjabi", "clothing", 180000},
	{"cl-kurta", "Kurta", "clothing", 150000},
	{"kt-ricecooker", "Rice cooker 1.8L", "kitchen", 350000}, {"kt-blender", "Blender", "kitchen", 420000},
}

// complaint texts by root cause and language.
var complaints = map[string]map[string][]string{
	"delivery": {
		"en": {"My parcel is five days late and nobody answers the phone.", "The courier left the box open and some items were missing."},
		"bn": {"আমার পার্সেল পাঁচ দিন দেরি, কেউ ফোন ধরে না।", "কুরিয়ার ভাঙা বাক্স দিয়ে গেছে।"},
		"ne": {"मेरो पार्सल पाँच दिन ढिलो भयो, कसैले फोन उठाउँदैन।", "कुरियरले बाकस खोलेर छाडेको थियो।"},
	},
	"quality": {
		"en": {"The product broke after two days.", "The rice smelled old, not fresh at all."},
		"bn": {"পণ্যটি দুই দিনেই নষ্ট হয়ে গেছে।", "চালটা পুরনো গন্ধ, একদম তাজা না।"},
		"ne": {"सामान दुई दिनमै बिग्रियो।", "चामल पुरानो गन्ध आउँछ।"},
	},
	"price_value": {
		"en": {"Too expensive for this quality.", "I found the same tea much cheaper elsewhere."},
		"bn": {"এই মানের জন্য দাম অনেক বেশি।", "অন্য জায়গায় একই চা অনেক কম দামে পেয়েছি।"},
		"ne": {"यो गुणस्तरको लागि मूल्य धेरै महँगो छ।", "अरू ठाउँमा यही चिया सस्तोमा पाइन्छ।"},
	},
	"usability": {
		"en": {"I could not figure out how to use the rice cooker timer.", "The website kept failing at checkout."},
		"bn": {"রাইস কুকারের টাইমার কীভাবে চালাতে হয় বুঝতে পারছি না।", "ওয়েবসাইটে অর্ডার দিতে গিয়ে বারবার সমস্যা হচ্ছে।"},
		"ne": {"राइस कुकरको टाइमर कसरी चलाउने बुझिनँ।", "वेबसाइटमा अर्डर गर्दा बारम्बार समस्या भयो।"},
	},
	"service": {
		"en": {"I asked three times about my refund and got no reply.", "The agent was rude on the phone."},
		"bn": {"রিফান্ডের জন্য তিনবার জিজ্ঞেস করেছি, কোনো উত্তর পাইনি।", "ফোনে কর্মী খারাপ ব্যবহার করেছেন।"},
		"ne": {"फिर्ताको बारेमा तीन पटक सोधें, जवाफ आएन।", "फोनमा कर्मचारीले राम्रो व्यवहार गरेनन्।"},
	},
}

// praise texts by language, for happy survey comments.
var praise = map[string][]string{
	"en": {"Fast delivery, thank you!", "Great quality as always.", "Very helpful staff."},
	"bn": {"দ্রুত ডেলিভারি, ধন্যবাদ!", "সবসময়ের মতো ভালো মান।", "কর্মীরা খুব সাহায্য করেছেন।"},
	"ne": {"छिटो डेलिभरी, धन्यवाद!", "सधैं जस्तै राम्रो गुणस्तर।", "कर्मचारी धेरै सहयोगी।"},
}

var returnReasons = map[string][]string{
	"quality":     {"arrived damaged", "stopped working", "not fresh"},
	"price_value": {"found it cheaper elsewhere", "not worth the price"},
	"usability":   {"too hard to use"},
}

var refusalReasons = []string{"customer not reachable", "changed mind at the door", "cash not ready", "delivery too late"}
var chargebackReasons = []string{"card holder disputes the charge", "item not received", "duplicate charge"}
var delayReasons = []string{"courier backlog", "hartal/strike day", "flooded road", "address not found first time"}

// agentReplies are what the demo's agents answer a complaint with, in the
// customer's language.
var agentReplies = map[string][]string{
	"en": {"Sorry about this. We are checking with the courier and will update you today.", "We are very sorry. A replacement is on its way at no cost."},
	"bn": {"দুঃখিত। আমরা কুরিয়ারের সাথে কথা বলছি, আজই জানাব।", "আমরা খুবই দুঃখিত। বিনা খরচে বদলি পণ্য পাঠানো হচ্ছে।"},
	"ne": {"माफ गर्नुहोस्। हामी कुरियरसँग बुझ्दैछौं, आजै जानकारी दिन्छौं।", "हामी साह्रै माफी चाहन्छौं। निःशुल्क अर्को सामान पठाउँदैछौं।"},
}

// customerFollowUps are a customer's second message in a thread.
var customerFollowUps = map[string][]string{
	"en": {"Thanks. When exactly will it arrive?", "Still waiting, please call me."},
	"bn": {"ধন্যবাদ। ঠিক কবে আসবে?", "এখনো অপেক্ষা করছি, একটু ফোন দিন।"},
	"ne": {"धन्यवाद। ठ्याक्कै कहिले आइपुग्छ?", "अझै पर्खिरहेको छु, एक पटक फोन गर्नुहोस्।"},
}
